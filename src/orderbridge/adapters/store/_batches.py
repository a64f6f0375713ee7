"""The order batches of worker-run cycles: the queries behind ``SqlStore.*run_batch*``.

A batch is claimed by the job that runs it (``start_run_batch`` counts the attempt, so a batch
run again after its worker died knows it), and finished with its tally. Finishing locks the
run's row first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises writers), so of two
batches that finish at the same moment exactly one sees that none is left and closes the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderbridge.domain.history import RunOutcome

from ._statements import execute, require_aware, table_of
from ._tables import OrderEventRow, RunBatchRow, SyncRunRow

__all__ = ["RunBatch", "RunBatchMethods"]

BATCH = table_of(RunBatchRow)
PENDING, DONE = "pending", "done"


@dataclass(frozen=True, slots=True)
class RunBatch:
    """One batch of a run, as the job that runs it reads it."""

    run_id: int
    batch_no: int
    tenant: str
    po_ids: tuple[int, ...]
    attempts: int  # counting this one: more than 1 means an earlier attempt did not finish
    done: bool
    run_open: bool  # the run is still ``running`` (not closed as interrupted meanwhile)


class RunBatchMethods:
    """Order batches of worker-run cycles; mixed into ``SqlStore``."""

    def _read(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def _write(self, action: str, tenant: str | None = None) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def add_run_batches(
        self,
        tenant: str,
        run_id: int,
        batches: Sequence[Sequence[int]],
        plan_tally: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """Record a run's batches (1..n, pending) and the planner's own share (batch 0, done)."""
        require_aware(at, "at")
        rows = [
            {
                "run_id": run_id,
                "batch_no": 0,
                "tenant": tenant,
                "po_ids": [],
                "state": DONE,
                "attempts": 1,
                "tally": dict(plan_tally),
                "finished_at": at,
            }
        ]
        rows.extend(
            {
                "run_id": run_id,
                "batch_no": number,
                "tenant": tenant,
                "po_ids": [int(i) for i in ids],
                "state": PENDING,
                "attempts": 0,
                "tally": None,
                "finished_at": None,
            }
            for number, ids in enumerate(batches, start=1)
        )
        with self._write(f"recording the batches of run {run_id}", tenant) as session:
            session.connection().execute(BATCH.insert(), rows)

    def start_run_batch(self, run_id: int, batch_no: int) -> RunBatch | None:
        """Count an attempt at the batch and return it (None when there is no such batch)."""
        with self._write(f"starting batch {batch_no} of run {run_id}") as session:
            row = session.get(RunBatchRow, (run_id, batch_no))
            if row is None:
                return None
            row.attempts += 1
            outcome = session.scalar(select(SyncRunRow.outcome).where(SyncRunRow.id == run_id))
            return RunBatch(
                run_id,
                batch_no,
                row.tenant,
                tuple(int(i) for i in row.po_ids),
                row.attempts,
                row.state == DONE,
                outcome == RunOutcome.RUNNING.value,
            )

    def reported_orders(self, run_id: int) -> set[str]:
        """PO numbers run ``run_id`` has an activity-log line for already."""
        with self._read(f"reading the orders of run {run_id}") as session:
            found = session.scalars(
                select(OrderEventRow.po_number).where(OrderEventRow.run_id == run_id)
            )
            return set(found)

    def finish_run_batch(
        self, run_id: int, batch_no: int, tally: Mapping[str, Any], at: datetime
    ) -> list[dict[str, Any]] | None:
        """Mark the batch done; the tallies of every part when it was the last one, else None.

        A batch finished before (run again after a crash that followed its commit) changes
        nothing and returns None, so the run is closed exactly once.
        """
        require_aware(at, "at")
        with self._write(f"finishing batch {batch_no} of run {run_id}") as session:
            execute(
                session,
                select(SyncRunRow.id).where(SyncRunRow.id == run_id).with_for_update(),
            )
            changed = execute(
                session,
                update(BATCH)
                .where(
                    BATCH.c.run_id == run_id,
                    BATCH.c.batch_no == batch_no,
                    BATCH.c.state == PENDING,
                )
                .values(state=DONE, tally=dict(tally), finished_at=at),
            ).rowcount
            if not changed:
                return None
            left = session.scalar(
                select(func.count())
                .select_from(BATCH)
                .where(BATCH.c.run_id == run_id, BATCH.c.state == PENDING)
            )
            if left:
                return None
            tallies = session.scalars(
                select(RunBatchRow.tally)
                .where(RunBatchRow.run_id == run_id)
                .order_by(RunBatchRow.batch_no)
            )
            return [dict(t or {}) for t in tallies]

    def pending_run_batches(self, tenant: str) -> int:
        """Batches of the tenant's open runs that no worker has finished yet."""
        with self._read("counting pending batches") as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(BATCH)
                    .join(SyncRunRow, SyncRunRow.id == BATCH.c.run_id)
                    .where(
                        BATCH.c.tenant == tenant,
                        BATCH.c.state == PENDING,
                        SyncRunRow.outcome == RunOutcome.RUNNING.value,
                    )
                )
                or 0
            )

    def pending_batches(self, tenant: str) -> list[tuple[int, int, str]]:
        """(run, batch, lease holder) of every batch of the tenant's open runs not finished yet."""
        with self._read("reading pending batches") as session:
            rows = session.execute(
                select(BATCH.c.run_id, BATCH.c.batch_no)
                .join(SyncRunRow, SyncRunRow.id == BATCH.c.run_id)
                .where(
                    BATCH.c.tenant == tenant,
                    BATCH.c.state == PENDING,
                    SyncRunRow.outcome == RunOutcome.RUNNING.value,
                )
                .order_by(BATCH.c.run_id, BATCH.c.batch_no)
            ).all()
            holders: dict[int, str] = {}
            for run_id in {row.run_id for row in rows}:
                plan = session.get(RunBatchRow, (run_id, 0))
                holders[run_id] = str((plan.tally or {}).get("holder", "")) if plan else ""
            return [(row.run_id, row.batch_no, holders[row.run_id]) for row in rows]
