"""What ``orderbridge doctor`` and ``orderbridge init`` ask Autotask about the setup itself.

The API user's rights on an entity (``/{Entity}/entityInformation``), the vendor companies by id
or by name, the request budget, and how many purchase orders a scope covers (one ``query/count``
instead of listing them). Every answer is a small value object in plain words; Autotask's JSON
names stay in this module. Errors are the adapter's typed ``AutotaskError`` subclasses.

Example::

    access = AutotaskAccess(client)
    rights = await access.entity_access("PurchaseOrders")
    if not rights.can_update:
        ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orderbridge.ports import CompanyRef, EntityAccess, MonitoredScope, ThresholdInfo

from ._client import AutotaskClient
from ._errors import BadPayload
from ._mapping import Row
from ._query import F, Filter

__all__ = ["AutotaskAccess", "CompanyRef", "EntityAccess"]

_COMPANIES = "Companies"
_PO = "PurchaseOrders"
_COMPANY_FIELDS = ["id", "companyName", "companyType", "isActive"]


def _member(info: Mapping[object, object], name: str) -> object:
    """A member looked up case-insensitively (older tenants answer in PascalCase)."""
    wanted = name.lower()
    return next((v for k, v in info.items() if str(k).lower() == wanted), None)


def entity_access_from_json(entity: str, payload: object) -> EntityAccess:
    """An ``entityInformation`` answer as ``EntityAccess``; absent access words read as None."""
    info = _member(payload, "info") if isinstance(payload, Mapping) else None
    if not isinstance(info, Mapping):
        raise BadPayload(f"{entity}/entityInformation: expected an 'info' object", endpoint=entity)

    def access(name: str) -> str:
        value = _member(info, name)
        return value.strip() if isinstance(value, str) and value.strip() else "None"

    return EntityAccess(
        entity=entity,
        can_query=_member(info, "canQuery") is True,
        can_update=_member(info, "canUpdate") is True,
        query_access=access("userAccessForQuery"),
        update_access=access("userAccessForUpdate"),
    )


class AutotaskAccess:
    """Setup questions answered by Autotask for the configured API user."""

    def __init__(self, client: AutotaskClient, *, vendor_type_label: str = "Vendor") -> None:
        self._client = client
        self._vendor_type_label = vendor_type_label

    async def zone(self) -> str:
        """The API base URL in use (explicit, or found through zone discovery)."""
        return await self._client.zone()

    async def threshold(self) -> ThresholdInfo:
        """The database's hourly request budget and how much of it is used."""
        return await self._client.threshold()

    async def entity_access(self, entity: str) -> EntityAccess:
        """The API user's query and update rights on ``entity``."""
        # _call is the client's one seam for a raw GET; entityInformation has no wrapper yet.
        payload = await self._client._call("GET", entity, f"{entity}/entityInformation", retry=True)
        return entity_access_from_json(entity, payload)

    async def companies(self, ids: Sequence[int]) -> list[CompanyRef]:
        """The companies with these ids that exist (and the API user can see), by id."""
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return []
        return await self._companies([F("id").in_(wanted)])

    async def vendors_named(self, name: str) -> list[CompanyRef]:
        """Vendor companies whose name contains ``name``, by id."""
        vendor = await self._vendor_type()
        return await self._companies(
            [F("companyType").eq(vendor), F("companyName").contains(name)], vendor=vendor
        )

    async def monitored_count(self, scope: MonitoredScope) -> int:
        """How many purchase orders ``scope`` covers, counted by Autotask (one request)."""
        picklists = self._client.picklists
        statuses = [await picklists.resolve(_PO, "status", s) for s in scope.status_labels]
        if not scope.vendor_ids or not statuses:
            return 0
        filters: list[Filter] = [F("vendorID").in_(scope.vendor_ids), F("status").in_(statuses)]
        if scope.submitted_since is not None:
            filters.append(F("submitDateTime").gte(scope.submitted_since))
        return await self._client.count(_PO, filters)

    async def _vendor_type(self) -> int:
        return await self._client.picklists.resolve(
            _COMPANIES, "companyType", self._vendor_type_label
        )

    async def _companies(
        self, filters: list[Filter], vendor: int | None = None
    ) -> list[CompanyRef]:
        vendor_type = vendor if vendor is not None else await self._vendor_type()
        rows = await self._client.query_all(_COMPANIES, filters, include_fields=_COMPANY_FIELDS)
        found = []
        for raw in rows:
            row = Row(raw, entity=_COMPANIES)
            found.append(
                CompanyRef(
                    id=row.required_int("id"),
                    name=row.optional_str("companyName") or "",
                    is_vendor=row.optional_int("companyType") == vendor_type,
                    is_active=row.raw("isActive") is not False,
                )
            )
        return sorted(found, key=lambda c: c.id)
