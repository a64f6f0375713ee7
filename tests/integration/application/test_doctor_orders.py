"""Doctor's store checks against a real SQLite store filled with runs, reports and states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.doctor import Check, Outcome, StoreChecks
from orderbridge.domain.history import OrderOutcome, OrderReport, RunOutcome, RunReport
from orderbridge.domain.lifecycle import LineState, OrderState, OrderStatus, Shipment

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TENANT = "default"
MISMATCH = (
    "externalPONumber holds TD SYNNEX order 69999999, but TD SYNNEX reports 12345678 for PO "
    "PO-3; check the number mapping"
)


def _state(number: str, status: OrderStatus, *, tracking: str | None = None) -> OrderState:
    shipments = (
        (Shipment(carrier="UPS", tracking_number=tracking),)
        if status
        in (
            OrderStatus.SHIPPED,
            OrderStatus.PARTIALLY_SHIPPED,
        )
        else ()
    )
    line = LineState(key="1", status=status, quantity_ordered=1, shipments=shipments)
    return OrderState(po_number=number, status=status, first_seen=NOW, lines=(line,))


def _save(store: SqlStore, number: str, po_id: int, state: OrderState) -> None:
    store.save_order(
        TENANT,
        number,
        po_id=po_id,
        status=str(state.status),
        state=state.to_json(),
        fingerprint=state.fingerprint(),
        history=[],
        checked_at=NOW,
    )


def _run(
    store: SqlStore,
    at: datetime,
    reports: list[OrderReport],
    *,
    outcome: str = "ok",
    error: str | None = None,
) -> int:
    run_id = store.start_run(TENANT, at)
    for report in reports:
        store.record_order_report(run_id, report, at)
    failed = sum(1 for r in reports if r.outcome is OrderOutcome.FAILED)
    unchanged = sum(1 for r in reports if r.outcome is OrderOutcome.UNCHANGED)
    store.finish_run(
        run_id,
        RunReport(
            started_at=at,
            finished_at=at + timedelta(seconds=5),
            outcome=RunOutcome(outcome),
            checked=len(reports),
            failed=failed,
            unchanged=unchanged,
            error=error,
        ),
    )
    return run_id


def _ok(
    number: str, po_id: int, status: OrderStatus, warnings: tuple[str, ...] = ()
) -> OrderReport:
    return OrderReport(
        number, OrderOutcome.UNCHANGED, po_id=po_id, status=str(status), warnings=warnings
    )


async def _checks(store: SqlStore, field: str = "purchaseOrderNumber") -> dict[str, Check]:
    found = await StoreChecks(store, lambda: NOW, po_number_field=field).order_checks()
    return {c.name: c for c in found}


async def test_each_per_order_problem_is_found_and_named(store: SqlStore) -> None:
    _save(store, "PO-1", 1, _state("PO-1", OrderStatus.PROCESSING))
    _save(store, "PO-2", 2, _state("PO-2", OrderStatus.NOT_FOUND))
    _save(store, "PO-3", 3, _state("PO-3", OrderStatus.INVOICED))
    _save(store, "PO-4", 4, _state("PO-4", OrderStatus.SHIPPED))
    _save(store, "PO-5", 5, _state("PO-5", OrderStatus.SHIPPED, tracking="1Z999"))
    _save(store, "66", 66, _state("66", OrderStatus.NOT_FOUND))  # its PO number field was empty
    _run(
        store,
        NOW - timedelta(hours=1),
        [
            _ok("PO-1", 1, OrderStatus.PROCESSING),
            _ok("PO-2", 2, OrderStatus.NOT_FOUND),
            _ok("PO-3", 3, OrderStatus.INVOICED, (MISMATCH,)),
            _ok("PO-4", 4, OrderStatus.SHIPPED),
            _ok("PO-5", 5, OrderStatus.SHIPPED),
            _ok("66", 66, OrderStatus.NOT_FOUND),
        ],
    )
    checks = await _checks(store)
    numbers = checks["POs without a PO number"]
    assert numbers.outcome is Outcome.WARN
    assert "1 PO has an empty purchaseOrderNumber" in numbers.detail
    assert "(PO id 66)" in numbers.detail
    not_found = checks["POs TD SYNNEX does not know"]
    assert not_found.outcome is Outcome.WARN
    assert not_found.detail.endswith("1 PO: PO-2")  # not "1 POs"
    assert not_found.fix == (
        "Verify the order was submitted to TD SYNNEX and that the PO number field mapping is right."
    )
    mismatch = checks["TD SYNNEX order number mismatches"]
    assert mismatch.outcome is Outcome.WARN
    assert mismatch.detail.endswith(": PO-3")
    tracking = checks["shipped without tracking"]
    assert tracking.outcome is Outcome.WARN
    assert tracking.detail.endswith(": PO-4")
    assert checks["last sync run"].outcome is Outcome.PASS


async def test_a_po_id_field_mapping_is_not_a_missing_number(store: SqlStore) -> None:
    _save(store, "66", 66, _state("66", OrderStatus.PROCESSING))
    _run(store, NOW - timedelta(hours=1), [_ok("66", 66, OrderStatus.PROCESSING)])
    assert (await _checks(store, "id"))["POs without a PO number"].outcome is Outcome.PASS
    assert (await _checks(store))["POs without a PO number"].outcome is Outcome.WARN


async def test_only_ten_numbers_are_listed(store: SqlStore) -> None:
    reports = []
    for n in range(1, 14):
        _save(store, f"PO-{n:02d}", n, _state(f"PO-{n:02d}", OrderStatus.NOT_FOUND))
        reports.append(_ok(f"PO-{n:02d}", n, OrderStatus.NOT_FOUND))
    _run(store, NOW - timedelta(hours=1), reports)
    detail = (await _checks(store))["POs TD SYNNEX does not know"].detail
    assert "13 POs" in detail
    assert "PO-10" in detail
    assert "PO-11" not in detail
    assert detail.endswith("and 3 more")


async def test_a_later_clean_report_clears_a_mismatch(store: SqlStore) -> None:
    _save(store, "PO-3", 3, _state("PO-3", OrderStatus.INVOICED))
    _run(store, NOW - timedelta(hours=2), [_ok("PO-3", 3, OrderStatus.INVOICED, (MISMATCH,))])
    assert (await _checks(store))["TD SYNNEX order number mismatches"].outcome is Outcome.WARN
    _run(store, NOW - timedelta(hours=1), [_ok("PO-3", 3, OrderStatus.INVOICED)])
    assert (await _checks(store))["TD SYNNEX order number mismatches"].outcome is Outcome.PASS


async def test_no_runs_yet_is_a_warning(store: SqlStore) -> None:
    check = (await _checks(store))["last sync run"]
    assert check.outcome is Outcome.WARN
    assert "no sync run" in check.detail


async def test_a_failed_last_run_warns_and_names_the_last_success(store: SqlStore) -> None:
    good = _run(store, NOW - timedelta(hours=3), [_ok("PO-1", 1, OrderStatus.PROCESSING)])
    refused = OrderReport("PO-1", OrderOutcome.FAILED, po_id=1, error="TD SYNNEX rejected")
    bad = _run(store, NOW - timedelta(hours=1), [refused], outcome="partial")
    check = (await _checks(store))["last sync run"]
    assert check.outcome is Outcome.WARN
    assert f"the last run failed: run {bad}" in check.detail
    assert f"last successful: run {good}" in check.detail
    assert "1 failed" in check.detail


async def test_a_refused_run_with_an_error_names_the_error(store: SqlStore) -> None:
    _run(store, NOW - timedelta(hours=1), [], outcome="refused", error="no vendor company")
    check = (await _checks(store))["last sync run"]
    assert check.outcome is Outcome.WARN
    assert "no vendor company" in check.detail
    assert "last successful: none recorded" in check.detail


async def test_no_success_within_a_day_warns(store: SqlStore) -> None:
    _run(store, NOW - timedelta(hours=30), [_ok("PO-1", 1, OrderStatus.PROCESSING)])
    check = (await _checks(store))["last sync run"]
    assert check.outcome is Outcome.WARN
    assert "24 hours" in check.detail


async def test_the_store_check_passes_on_a_migrated_writable_store(store: SqlStore) -> None:
    check, ready = await StoreChecks(store, lambda: NOW).store_check()
    assert ready
    assert check.outcome is Outcome.PASS
    assert store.get_setting(TENANT, "doctor.write_probe") is None


async def test_an_unmigrated_store_is_reported_and_left_alone(tmp_path: Path) -> None:
    with SqlStore(f"sqlite:///{tmp_path / 'new.db'}") as fresh:
        checks = StoreChecks(fresh, lambda: NOW, po_number_field="id")
        check, ready = await checks.store_check()
        assert fresh.schema_version() == "base"
    assert not ready
    assert check.outcome is Outcome.WARN
    assert "not been created" in check.detail
    skipped = await checks.order_checks(store_ready=ready)
    assert all(c.detail.startswith("not checked") for c in skipped)


async def test_an_unusable_store_fails(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with SqlStore(f"sqlite:///{tmp_path / 'dir.db'}") as broken:
        check, ready = await StoreChecks(broken, lambda: NOW).store_check()
    assert not ready
    assert check.outcome is Outcome.FAIL
    assert "store.url" in check.fix
