"""The purchase-order gateway: the monitored POs with their items, and writes back to them.

Reads are batched so the cost does not grow per PO: one paged PurchaseOrders query, then the
items of all those POs (``orderID in`` chunks of 500), then the products they reference
(``id in`` chunks of 500, cached on the gateway). Status labels go through the tenant's picklist.
Writes PATCH only the given fields, with ``id`` in the body, on the collection path.

Example::

    gateway = AutotaskPurchaseOrders(client)
    vendors = await gateway.vendor_ids_by_name("TD SYNNEX")
    for po in await gateway.monitored(vendor_ids=vendors, status_labels=["Submitted"]):
        ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from orderbridge.domain.models import PurchaseOrder, PurchaseOrderItem
from orderbridge.ports import MonitoredScope

from ._client import AutotaskClient
from ._errors import BadPayload
from ._mapping import (
    ITEM_FIELDS,
    ITEM_WRITE_FIELDS,
    PO_WRITE_FIELDS,
    PRODUCT_FIELDS,
    Row,
    item_from_json,
    patch_body,
    po_fields,
    product_part_numbers,
    purchase_order_from_json,
)
from ._query import F, Filter

__all__ = ["AutotaskPurchaseOrders"]

_PO = "PurchaseOrders"
_ITEMS = "PurchaseOrderItems"
_PRODUCTS = "Products"
_COMPANIES = "Companies"
_DEFAULT_STATUSES = ("Submitted", "Received Partial")


class AutotaskPurchaseOrders:
    """Autotask purchase orders in domain terms, read in batches and patched field by field."""

    def __init__(
        self,
        client: AutotaskClient,
        *,
        po_number_field: str = "purchaseOrderNumber",
        vendor_type_label: str = "Vendor",
    ) -> None:
        self._client = client
        self._po_number_field = po_number_field
        self._vendor_type_label = vendor_type_label
        self._part_numbers: dict[int, frozenset[str]] = {}

    async def vendor_ids_by_name(self, name: str) -> list[int]:
        """Ids of vendor companies whose name contains ``name`` (company type resolved by label).

        A found list is kept in the client's metadata cache, if it has one.
        """
        remembered_as = f"vendors {self._vendor_type_label.casefold()} {name.casefold()}"
        cached = await self._client.remembered(remembered_as)
        if isinstance(cached, list) and cached and all(type(i) is int for i in cached):
            return sorted(cached)
        vendor_type = await self._client.picklists.resolve(
            _COMPANIES, "companyType", self._vendor_type_label
        )
        rows = await self._client.query_all(
            _COMPANIES,
            [F("companyType").eq(vendor_type), F("companyName").contains(name)],
            include_fields=["id", "companyName"],
        )
        found = sorted(Row(r, entity=_COMPANIES).required_int("id") for r in rows)
        if found:
            await self._client.remember(remembered_as, found)
        return found

    async def status_values(self, labels: Sequence[str]) -> list[int]:
        """The tenant's integers for PO status ``labels``."""
        picklists = self._client.picklists
        return [await picklists.resolve(_PO, "status", label) for label in labels]

    async def monitored(
        self,
        scope: MonitoredScope | None = None,
        *,
        vendor_ids: Sequence[int] | None = None,
        status_labels: Sequence[str] | None = None,
        submitted_since: datetime | None = None,
        extra_filters: Sequence[Filter] = (),
    ) -> list[PurchaseOrder]:
        """POs from ``vendor_ids`` in ``status_labels`` (optionally submitted since), with items.

        Give either a ``MonitoredScope`` or the keyword arguments, not both.
        """
        if scope is not None:
            if vendor_ids is not None or status_labels is not None or submitted_since:
                raise ValueError("give either a MonitoredScope or keyword arguments, not both")
            vendor_ids, status_labels = scope.vendor_ids, scope.status_labels
            submitted_since = scope.submitted_since
        labels = _DEFAULT_STATUSES if status_labels is None else status_labels
        statuses = await self.status_values(labels)
        if not vendor_ids or not statuses:
            return []
        filters: list[Filter] = [F("vendorID").in_(vendor_ids), F("status").in_(statuses)]
        if submitted_since is not None:
            filters.append(F("submitDateTime").gte(submitted_since))
        filters.extend(extra_filters)
        rows = await self._client.query_all(
            _PO, filters, include_fields=po_fields(self._po_number_field)
        )
        return await self._assemble([Row(r, entity=_PO) for r in rows])

    async def among(self, scope: MonitoredScope, po_ids: Sequence[int]) -> list[PurchaseOrder]:
        """Those of ``po_ids`` still in ``scope``, with items: one ``in`` query (a worker's batch).

        Keep the list to a few hundred ids (``[sync] batch_size``); Autotask's limit on the
        length of an ``in`` list is not documented.
        """
        if not po_ids:
            return []
        return await self.monitored(scope, extra_filters=[F("id").in_(list(po_ids))])

    async def get(self, po_id: int) -> PurchaseOrder | None:
        """One PO with its items, or ``None`` when Autotask has no such PO."""
        raw = await self._client.get(_PO, po_id)
        if raw is None:
            return None
        found = await self._assemble([Row(raw, entity=_PO)])
        return found[0]

    async def update_purchase_order(self, po_id: int, changes: Mapping[str, object]) -> None:
        """Write only ``changes`` (domain names; ``status`` as a label) to the PO."""
        if not changes:
            return
        resolved = dict(changes)
        if isinstance(resolved.get("status"), str):
            label = str(resolved["status"])
            resolved["status"] = await self._client.picklists.resolve(_PO, "status", label)
        await self._client.patch(_PO, patch_body(po_id, resolved, PO_WRITE_FIELDS))

    async def update_item(self, po_id: int, item_id: int, changes: Mapping[str, object]) -> None:
        """Write only ``changes`` (domain names) to one item of PO ``po_id``."""
        if not changes:
            return
        body = patch_body(item_id, changes, ITEM_WRITE_FIELDS)
        await self._client.patch_child(_PO, po_id, "Items", body)

    async def _assemble(self, po_rows: list[Row]) -> list[PurchaseOrder]:
        """The POs with their items; one unreadable record spoils only its own PO."""
        if not po_rows:
            return []
        po_ids = [i for i in (_readable_id(row) for row in po_rows) if i is not None]
        item_rows = (
            [
                Row(r, entity=_ITEMS)
                for r in await self._client.query_all(
                    _ITEMS, [F("orderID").in_(po_ids)], include_fields=ITEM_FIELDS
                )
            ]
            if po_ids
            else []
        )
        await self._load_products(_readable_product_ids(item_rows))
        items: dict[int, list[PurchaseOrderItem]] = {}
        spoiled: dict[int, str] = {}
        for row in item_rows:
            try:
                item = item_from_json(row, self._part_numbers)
            except BadPayload as exc:
                owner = _readable_int(row, "orderID")
                if owner is None:
                    raise  # an item of no known PO: nothing narrower to blame
                spoiled.setdefault(owner, str(exc))
                continue
            items.setdefault(item.order_id, []).append(item)
        labels = await self._client.picklists.fields(_PO)
        status_field = labels.get("status")
        choices = {c.value: c.label for c in status_field.choices} if status_field else {}
        orders = []
        for row in po_rows:
            po_id = _readable_id(row)
            try:
                if po_id is not None and po_id in spoiled:
                    raise BadPayload(spoiled[po_id])
                order = purchase_order_from_json(
                    row,
                    status_label=lambda v: choices.get(v, str(v)),
                    po_number_field=self._po_number_field,
                    items=items.get(po_id or 0, ()),
                )
            except BadPayload as exc:
                order = self._unreadable(row, po_id, exc)
            orders.append(order)
        return sorted(orders, key=lambda po: po.id)

    def _unreadable(self, row: Row, po_id: int | None, exc: BadPayload) -> PurchaseOrder:
        number = _readable_text(row, self._po_number_field) or (
            None if po_id is None else str(po_id)
        )
        return PurchaseOrder(
            id=po_id or 0,
            po_number=number,
            status="",
            vendor_id=0,
            unreadable=f"Autotask's record could not be read: {exc}",
        )

    async def _load_products(self, product_ids: Any) -> None:
        wanted = sorted({p for p in product_ids if p} - set(self._part_numbers))
        if not wanted:
            return
        rows = await self._client.query_all(
            _PRODUCTS, [F("id").in_(wanted)], include_fields=PRODUCT_FIELDS
        )
        for raw in rows:
            product_id, numbers = product_part_numbers(Row(raw, entity=_PRODUCTS))
            self._part_numbers[product_id] = numbers
        for missing in set(wanted) - set(self._part_numbers):
            # not visible to this API user (or deleted): remember, so it is not asked for again
            self._part_numbers[missing] = frozenset()


def _readable_int(row: Row, name: str) -> int | None:
    try:
        return row.optional_int(name)
    except BadPayload:
        return None


def _readable_id(row: Row) -> int | None:
    return _readable_int(row, "id")


def _readable_text(row: Row, name: str) -> str | None:
    try:
        return (row.optional_str(name) or "").strip() or None
    except BadPayload:
        return None


def _readable_product_ids(rows: list[Row]) -> list[int]:
    return [i for i in (_readable_int(row, "productID") for row in rows) if i]


if TYPE_CHECKING:
    from orderbridge.ports import PurchaseOrderGateway

    def _implements_the_port(gateway: AutotaskPurchaseOrders) -> PurchaseOrderGateway:
        return gateway
