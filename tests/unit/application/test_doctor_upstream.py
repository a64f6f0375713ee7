"""Doctor's upstream checks against in-memory fakes: outcomes, fixes and what gets skipped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from orderbridge.application.doctor import (
    PROBE_PO_NUMBER,
    Check,
    Doctor,
    Outcome,
    StoreChecks,
    UpstreamChecks,
    has_failures,
)
from orderbridge.application.scope import SyncSetupError
from orderbridge.domain.models import DistributorCode, DistributorOrder, Invoice
from orderbridge.ports import (
    CompanyRef,
    EntityAccess,
    FieldQuirk,
    MonitoredScope,
    RunRecord,
    StoredOrder,
    ThresholdInfo,
    UpstreamAuthError,
    UpstreamError,
    UpstreamUnavailable,
)

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _access(entity: str, query: str = "All", update: str = "All") -> EntityAccess:
    return EntityAccess(entity, True, True, query_access=query, update_access=update)


@dataclass
class FakeAutotask:
    """An Autotask setup whose answers (or failures) each test sets."""

    zone_error: UpstreamError | None = None
    budget_error: UpstreamError | None = None
    budget: ThresholdInfo = field(default_factory=lambda: ThresholdInfo(10_000, 60, 100))
    access: dict[str, EntityAccess] = field(default_factory=dict)
    companies_by_id: dict[int, CompanyRef] = field(default_factory=dict)
    vendors: list[CompanyRef] = field(
        default_factory=lambda: [CompanyRef(7, "TD SYNNEX Corporation", is_vendor=True)]
    )
    count: int = 12
    calls: list[str] = field(default_factory=list)

    async def zone(self) -> str:
        self.calls.append("zone")
        if self.zone_error is not None:
            raise self.zone_error
        return "https://webservices5.autotask.net/ATServicesRest/V1.0/"

    async def threshold(self) -> ThresholdInfo:
        self.calls.append("threshold")
        if self.budget_error is not None:
            raise self.budget_error
        return self.budget

    async def entity_access(self, entity: str) -> EntityAccess:
        self.calls.append(f"access {entity}")
        return self.access.get(entity, _access(entity))

    async def companies(self, ids: Sequence[int]) -> list[CompanyRef]:
        self.calls.append("companies")
        return [self.companies_by_id[i] for i in ids if i in self.companies_by_id]

    async def vendors_named(self, name: str) -> list[CompanyRef]:
        self.calls.append("vendors")
        return [c for c in self.vendors if name.lower() in c.name.lower()]

    async def monitored_count(self, scope: MonitoredScope) -> int:
        self.calls.append("count")
        return self.count


@dataclass
class FakeDistributor:
    error: UpstreamError | None = None
    asked: list[str] = field(default_factory=list)
    invoices_asked: list[str] = field(default_factory=list)

    async def get_order_status(self, po_number: str) -> DistributorOrder:
        self.asked.append(po_number)
        if self.error is not None:
            raise self.error
        return DistributorOrder(po_number=po_number, code=DistributorCode.NOT_FOUND)

    async def get_invoices(self, *, po_number: str) -> list[Invoice]:
        self.invoices_asked.append(po_number)  # the invoice service is probed once, for a dummy
        return []


class EmptyStore:
    """A migrated store with no runs yet."""

    def schema_version(self) -> str:
        return "head"

    def head_version(self) -> str:
        return "head"

    def set_setting(self, tenant: str, key: str, value: str) -> None:
        pass

    def delete_setting(self, tenant: str, key: str) -> bool:
        return True

    def runs(self, tenant: str, limit: int) -> Sequence[RunRecord]:
        return []

    def run(self, run_id: int) -> RunRecord | None:
        return None

    def load_states(self, tenant: str, po_numbers: Iterable[str]) -> Mapping[str, StoredOrder]:
        return {}

    def field_quirks(self, tenant: str) -> list[FieldQuirk]:
        return []


async def _scope() -> MonitoredScope:
    return MonitoredScope(vendor_ids=(7,), status_labels=("Submitted", "Received Partial"))


def _doctor(
    autotask: FakeAutotask,
    distributor: FakeDistributor,
    vendor_ids: Sequence[int] = (),
    scope: Callable[[], Awaitable[MonitoredScope]] = _scope,
) -> Doctor:
    upstream = UpstreamChecks(
        autotask=autotask,
        distributor=distributor,
        scope=scope,
        vendor_ids=vendor_ids,
        is_ip_refusal=lambda exc: "ip address" in str(exc).lower(),
    )
    return Doctor(upstream, StoreChecks(EmptyStore(), clock=lambda: NOW))


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


async def test_a_healthy_setup_passes_every_connection_check() -> None:
    autotask, td = FakeAutotask(), FakeDistributor()
    checks = _by_name(await _doctor(autotask, td).run())
    for name in (
        "configuration",
        "store",
        "Autotask zone",
        "Autotask credentials",
        "Autotask permissions",
        "Autotask request budget",
        "TD SYNNEX credentials",
        "TD SYNNEX vendor company",
        "monitored purchase orders",
    ):
        assert checks[name].outcome is Outcome.PASS, checks[name]
    assert td.asked == [PROBE_PO_NUMBER]
    assert "12 purchase orders" in checks["monitored purchase orders"].detail
    assert "7 TD SYNNEX Corporation" in checks["TD SYNNEX vendor company"].detail


@pytest.mark.parametrize(
    ("current", "outcome"),
    [(5_000, Outcome.PASS), (5_001, Outcome.WARN), (9_000, Outcome.WARN), (9_001, Outcome.FAIL)],
)
async def test_the_request_budget_warns_above_half_and_fails_above_ninety_percent(
    current: int, outcome: Outcome
) -> None:
    autotask = FakeAutotask(budget=ThresholdInfo(10_000, 60, current))
    checks = _by_name(await _doctor(autotask, FakeDistributor()).connection_checks())
    budget = checks["Autotask request budget"]
    assert budget.outcome is outcome
    assert f"{current:,} of 10,000" in budget.detail
    assert (budget.fix != "") is (outcome is not Outcome.PASS)


async def test_an_api_user_without_update_access_fails_naming_the_entity() -> None:
    autotask = FakeAutotask(
        access={"PurchaseOrderItems": _access("PurchaseOrderItems", update="None")}
    )
    check = _by_name(await _doctor(autotask, FakeDistributor()).connection_checks())[
        "Autotask permissions"
    ]
    assert check.outcome is Outcome.FAIL
    assert "PurchaseOrderItems: no update access" in check.detail
    assert "PurchaseOrders" not in check.detail.replace("PurchaseOrderItems", "")
    assert "security level" in check.fix


async def test_restricted_access_is_a_warning() -> None:
    autotask = FakeAutotask(
        access={
            "PurchaseOrders": _access("PurchaseOrders", query="Restricted", update="Restricted")
        }
    )
    check = _by_name(await _doctor(autotask, FakeDistributor()).connection_checks())[
        "Autotask permissions"
    ]
    assert check.outcome is Outcome.WARN


async def test_a_failed_zone_lookup_skips_the_later_autotask_checks() -> None:
    autotask = FakeAutotask(
        zone_error=UpstreamAuthError("Zone information could not be determined")
    )
    checks = _by_name(await _doctor(autotask, FakeDistributor()).run())
    assert checks["Autotask zone"].outcome is Outcome.FAIL
    assert "autotask.username" in checks["Autotask zone"].fix
    for name in ("Autotask credentials", "Autotask permissions", "TD SYNNEX vendor company"):
        assert checks[name].outcome is Outcome.WARN
        assert checks[name].detail.startswith("not checked")
    assert autotask.calls == ["zone"]
    assert checks["TD SYNNEX credentials"].outcome is Outcome.PASS


async def test_refused_autotask_credentials_fail_with_the_credentials_fix() -> None:
    autotask = FakeAutotask(budget_error=UpstreamAuthError("HTTP 401 (check the API secret)"))
    checks = _by_name(await _doctor(autotask, FakeDistributor()).run())
    assert checks["Autotask credentials"].outcome is Outcome.FAIL
    assert "autotask.secret" in checks["Autotask credentials"].fix
    assert checks["Autotask request budget"].detail.startswith("not checked")
    assert has_failures(list(checks.values()))


async def test_td_synnex_ip_and_credential_refusals_get_different_fixes() -> None:
    ip = FakeDistributor(UpstreamAuthError("TD SYNNEX rejected this server's IP address"))
    creds = FakeDistributor(UpstreamAuthError("TD SYNNEX rejected the credentials (Login)"))
    down = FakeDistributor(UpstreamUnavailable("no answer within 30s"))
    fixes = []
    for distributor in (ip, creds, down):
        check = _by_name(await _doctor(FakeAutotask(), distributor).connection_checks())[
            "TD SYNNEX credentials"
        ]
        assert check.outcome is Outcome.FAIL
        fixes.append(check.fix)
    assert "allow-list" in fixes[0]
    assert "tdsynnex.password" in fixes[1]
    assert "reach" in fixes[2]
    assert len(set(fixes)) == 3


async def test_several_vendor_matches_warn_and_list_them() -> None:
    autotask = FakeAutotask(
        vendors=[
            CompanyRef(7, "TD SYNNEX Corporation", is_vendor=True),
            CompanyRef(8, "TD SYNNEX Canada", is_vendor=True),
        ]
    )
    check = _by_name(await _doctor(autotask, FakeDistributor()).run())["TD SYNNEX vendor company"]
    assert check.outcome is Outcome.WARN
    assert "7 TD SYNNEX Corporation" in check.detail
    assert "8 TD SYNNEX Canada" in check.detail
    assert "vendor_company_ids" in check.fix


async def test_no_vendor_company_fails_and_skips_the_scope_count() -> None:
    autotask = FakeAutotask(vendors=[])
    checks = _by_name(await _doctor(autotask, FakeDistributor()).run())
    assert checks["TD SYNNEX vendor company"].outcome is Outcome.FAIL
    assert checks["monitored purchase orders"].detail.startswith("not checked")
    assert "count" not in autotask.calls


async def test_configured_vendor_ids_must_exist_and_be_vendors() -> None:
    autotask = FakeAutotask(
        companies_by_id={
            7: CompanyRef(7, "TD SYNNEX", is_vendor=True),
            9: CompanyRef(9, "Acme", is_vendor=False),
        }
    )
    check = _by_name(
        await _doctor(autotask, FakeDistributor(), vendor_ids=(7, 9, 11)).connection_checks()
    )["TD SYNNEX vendor company"]
    assert check.outcome is Outcome.FAIL
    assert "no company with id 11" in check.detail
    assert "not a Vendor company: 9 Acme" in check.detail
    assert "vendors" not in autotask.calls


async def test_zero_monitored_orders_is_a_warning() -> None:
    checks = _by_name(await _doctor(FakeAutotask(count=0), FakeDistributor()).run())
    assert checks["monitored purchase orders"].outcome is Outcome.WARN


async def test_a_scope_that_cannot_be_built_fails_the_scope_check() -> None:
    async def broken() -> MonitoredScope:
        raise SyncSetupError("autotask.monitored_statuses: no such status")

    doctor = _doctor(FakeAutotask(), FakeDistributor(), scope=broken)
    check = _by_name(await doctor.run())["monitored purchase orders"]
    assert check.outcome is Outcome.FAIL
    assert "monitored_statuses" in check.detail


async def test_missing_credentials_fail_the_configuration_check() -> None:
    checks = await _doctor(FakeAutotask(), FakeDistributor()).run(
        ["autotask.secret: required to sync; set it in the file or the environment"]
    )
    assert checks[0].name == "configuration"
    assert checks[0].outcome is Outcome.FAIL
    assert "autotask.secret" in checks[0].detail
