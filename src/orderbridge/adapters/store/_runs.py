"""The activity log: sync runs and the per-order outcome of each run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderbridge.domain.history import OrderReport, RunOutcome, RunReport

from ._errors import StoreError
from ._records import RunRecord, report_from_row, run_from_row
from ._statements import execute, insert_for, table_of
from ._tables import OrderEventRow, SyncRunRow

__all__ = [
    "finish_run",
    "get_run",
    "list_runs",
    "mark_interrupted_runs",
    "order_events",
    "record_order_report",
    "record_order_reports",
    "start_run",
]

INTERRUPTED_ERROR = "the process stopped before the run finished"

SYNC_RUN = table_of(SyncRunRow)
ORDER_EVENT = table_of(OrderEventRow)


def start_run(session: Session, tenant: str, started_at: datetime, trigger: str) -> int:
    """Insert a run in outcome ``running`` and return its id."""
    row = SyncRunRow(
        tenant=tenant,
        started_at=started_at,
        outcome=RunOutcome.RUNNING.value,
        trigger=trigger,
        requests={},
    )
    session.add(row)
    session.flush()
    return row.id


def finish_run(session: Session, run_id: int, report: RunReport, finished_at: datetime) -> None:
    """Write a run's counts, outcome, request counts, error and finish time."""
    statement = (
        update(SYNC_RUN)
        .where(SYNC_RUN.c.id == run_id)
        .values(
            finished_at=finished_at,
            outcome=str(report.outcome),
            monitored=report.monitored,
            checked=report.checked,
            updated=report.updated,
            unchanged=report.unchanged,
            failed=report.failed,
            skipped=report.skipped,
            requests={str(name): int(count) for name, count in report.requests.items()},
            error=report.error,
            warnings=list(report.warnings),
        )
    )
    if execute(session, statement).rowcount == 0:
        raise StoreError(f"cannot finish run {run_id}: no such run in the activity log")


def _run_tenant(session: Session, run_id: int, po_number: str) -> str:
    tenant = session.scalar(select(SyncRunRow.tenant).where(SyncRunRow.id == run_id))
    if tenant is None:
        raise StoreError(f"cannot record {po_number}: run {run_id} is not in the log")
    return tenant


def _event_values(run_id: int, tenant: str, report: OrderReport, at: datetime) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "tenant": tenant,
        "po_number": report.po_number,
        "at": at,
        "outcome": str(report.outcome),
        "po_id": report.po_id,
        "status": report.status,
        "changes": list(report.changes),
        "warnings": list(report.warnings),
        "error": report.error,
    }


def _upsert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert order events; one already recorded for the run and PO is replaced."""
    insert = insert_for(session, ORDER_EVENT)
    new = insert.excluded
    statement = insert.on_conflict_do_update(
        index_elements=[ORDER_EVENT.c.run_id, ORDER_EVENT.c.po_number],
        set_={
            "at": new.at,
            "outcome": new.outcome,
            "po_id": new.po_id,
            "status": new.status,
            "changes": new.changes,
            "warnings": new.warnings,
            "error": new.error,
        },
    )
    # One row: plain execute. Several: executemany, one statement per row, so a PO named twice
    # is simply replaced (a multi-row ON CONFLICT DO UPDATE may not touch a row twice).
    session.connection().execute(statement, rows[0] if len(rows) == 1 else rows)


def record_order_report(session: Session, run_id: int, report: OrderReport, at: datetime) -> None:
    """Record (or replace) what run ``run_id`` did with one order."""
    tenant = _run_tenant(session, run_id, report.po_number)
    _upsert_events(session, [_event_values(run_id, tenant, report, at)])


def record_order_reports(
    session: Session, run_id: int, reports: Sequence[OrderReport], at: datetime
) -> None:
    """Record (or replace) what run ``run_id`` did with each order; the last report of a PO wins."""
    tenant = _run_tenant(session, run_id, reports[0].po_number)
    latest = {report.po_number: report for report in reports}
    _upsert_events(session, [_event_values(run_id, tenant, r, at) for r in latest.values()])


def list_runs(
    session: Session, tenant: str, limit: int, triggers: Sequence[str] | None = None
) -> list[RunRecord]:
    """The newest runs of a tenant (of these triggers), newest first, without their orders."""
    query = select(SyncRunRow).where(SyncRunRow.tenant == tenant)
    if triggers is not None:
        query = query.where(SyncRunRow.trigger.in_(list(triggers)))
    rows = session.scalars(
        query.order_by(SyncRunRow.started_at.desc(), SyncRunRow.id.desc()).limit(limit)
    )
    return [run_from_row(row) for row in rows]


def get_run(session: Session, run_id: int, tenant: str | None = None) -> RunRecord | None:
    """One run with its per-order reports in the order they were recorded (None when it is
    another tenant's, given ``tenant``)."""
    row = session.get(SyncRunRow, run_id)
    if row is None or (tenant is not None and row.tenant != tenant):
        return None
    events = session.scalars(
        select(OrderEventRow)
        .where(OrderEventRow.run_id == run_id)
        .order_by(OrderEventRow.at, OrderEventRow.id)
    )
    return run_from_row(row, [report_from_row(event) for event in events])


def order_events(
    session: Session, tenant: str, po_number: str, limit: int
) -> list[tuple[datetime, OrderReport]]:
    """What the newest runs did with one order, newest first, with when each was recorded."""
    events = session.scalars(
        select(OrderEventRow)
        .where(OrderEventRow.tenant == tenant, OrderEventRow.po_number == po_number)
        .order_by(OrderEventRow.at.desc(), OrderEventRow.id.desc())
        .limit(limit)
    )
    return [(event.at, report_from_row(event)) for event in events]


def mark_interrupted_runs(
    session: Session, tenant: str, at: datetime, started_before: datetime | None
) -> int:
    """Close runs still marked running (their process died); return how many."""
    statement = update(SYNC_RUN).where(
        SYNC_RUN.c.tenant == tenant, SYNC_RUN.c.outcome == RunOutcome.RUNNING.value
    )
    if started_before is not None:
        statement = statement.where(SYNC_RUN.c.started_at < started_before)
    statement = statement.values(
        outcome=RunOutcome.INTERRUPTED.value,
        finished_at=at,
        error=func.coalesce(SYNC_RUN.c.error, INTERRUPTED_ERROR),
    )
    return execute(session, statement).rowcount
