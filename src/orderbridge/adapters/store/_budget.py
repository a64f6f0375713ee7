"""The Autotask request budget kept in the store: the queries behind ``SqlStore.budget_*``.

Several processes (a daemon, a ``sync --once`` from cron, workers) that use one store share one
count per Autotask database, and the count survives a restart. Counting a request is atomic per
database: it locks the database's ``autotask_budget`` row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite serialises every write transaction), so two processes never both take the
last slot.

Concurrent-request slots (Autotask's limit of 3 requests in flight per endpoint) are rows of
``autotask_thread_slot``: a process claims a free or expired slot with a conditional ``UPDATE``
(only one of two racing processes sees its row count be 1) and frees it after the request.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ._statements import execute, insert_for, require_aware, table_of
from ._tables import BudgetRequestRow, BudgetStateRow, BudgetThreadRow

__all__ = ["BudgetMethods"]

BUDGET = table_of(BudgetStateRow)
REQUEST = table_of(BudgetRequestRow)
THREAD = table_of(BudgetThreadRow)


def _lock_row(session: Session, database: str) -> None:
    """Make sure the database's row exists and hold its lock until the transaction ends."""
    execute(session, insert_for(session, BUDGET).values(database=database).on_conflict_do_nothing())
    execute(
        session, select(BUDGET.c.database).where(BUDGET.c.database == database).with_for_update()
    )


def _take(
    session: Session, database: str, *, now: datetime, window: timedelta, allowance: int
) -> datetime | None:
    """Count one request unless the window ending ``now`` is full; else when a slot frees up."""
    _lock_row(session, database)
    horizon = now - window
    execute(
        session, delete(REQUEST).where(REQUEST.c.database == database, REQUEST.c.sent_at <= horizon)
    )
    mine = REQUEST.c.database == database
    count = session.execute(select(func.count()).select_from(REQUEST).where(mine)).scalar_one()
    if count < allowance:
        execute(session, REQUEST.insert().values(database=database, sent_at=now))
        return None
    # the window must shed its oldest count - allowance + 1 requests
    oldest = session.execute(
        select(BudgetRequestRow.sent_at)
        .where(mine)
        .order_by(REQUEST.c.sent_at, REQUEST.c.id)
        .offset(count - max(allowance, 1))
        .limit(1)
    ).scalar_one()
    return oldest + window


def _used(session: Session, database: str, *, now: datetime, window: timedelta) -> int:
    """Requests counted in the window ending ``now``."""
    return int(
        session.execute(
            select(func.count())
            .select_from(REQUEST)
            .where(REQUEST.c.database == database, REQUEST.c.sent_at > now - window)
        ).scalar_one()
    )


def _lock_out(session: Session, database: str, until: datetime) -> None:
    """Refuse requests until ``until``; a later lock-out already in place wins."""
    _lock_row(session, database)
    execute(
        session,
        update(BUDGET)
        .where(
            BUDGET.c.database == database,
            (BUDGET.c.locked_until.is_(None)) | (BUDGET.c.locked_until < until),
        )
        .values(locked_until=until),
    )


def _locked_until(session: Session, database: str) -> datetime | None:
    """The end of the database's lock-out, if one was set."""
    row = session.get(BudgetStateRow, database)
    return None if row is None else row.locked_until


def _save_reading(session: Session, database: str, text: str) -> None:
    """Keep the latest threshold reading (JSON text)."""
    _lock_row(session, database)
    execute(session, update(BUDGET).where(BUDGET.c.database == database).values(reading=text))


def _reading(session: Session, database: str) -> str | None:
    """The latest threshold reading (JSON text), if any."""
    row = session.get(BudgetStateRow, database)
    return None if row is None else row.reading


def _look(session: Session, database: str) -> tuple[datetime | None, str | None]:
    """The lock-out's end and the threshold reading: one row, one read."""
    row = session.get(BudgetStateRow, database)
    return (None, None) if row is None else (row.locked_until, row.reading)


def _claim_thread(
    session: Session,
    database: str,
    endpoint: str,
    *,
    slots: int,
    holder: str,
    now: datetime,
    ttl: timedelta,
) -> int | None:
    """Claim one of the endpoint's first ``slots`` slots that is free or expired, or None."""
    mine = (THREAD.c.database == database) & (THREAD.c.endpoint == endpoint)
    known = set(session.execute(select(THREAD.c.slot).where(mine)).scalars())
    missing = [n for n in range(slots) if n not in known]
    if missing:
        execute(
            session,
            insert_for(session, THREAD)
            .values([{"database": database, "endpoint": endpoint, "slot": n} for n in missing])
            .on_conflict_do_nothing(),
        )
    free = (THREAD.c.holder.is_(None)) | (THREAD.c.expires_at <= now)
    candidates = session.execute(
        select(THREAD.c.slot).where(mine, free, THREAD.c.slot < slots).order_by(THREAD.c.slot)
    ).scalars()
    for slot in list(candidates):
        claimed = execute(
            session,
            update(THREAD)
            .where(mine, THREAD.c.slot == slot, free)
            .values(holder=holder, expires_at=now + ttl),
        )
        if claimed.rowcount == 1:
            return int(slot)
    return None


def _free_thread(session: Session, database: str, endpoint: str, slot: int, holder: str) -> None:
    """Give a slot back, unless it expired and another process holds it now."""
    execute(
        session,
        update(THREAD)
        .where(
            THREAD.c.database == database,
            THREAD.c.endpoint == endpoint,
            THREAD.c.slot == slot,
            THREAD.c.holder == holder,
        )
        .values(holder=None, expires_at=None),
    )


class BudgetMethods:
    """The shared Autotask request budget's storage; mixed into ``SqlStore``.

    Keys are Autotask databases (``<zone host>/ci=<id>``), not tenants: every tenant and process
    on one Autotask database spends from one budget.
    """

    def _read(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def _write(self, action: str, tenant: str | None = None) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def budget_take_and_claim(
        self,
        database: str,
        endpoint: str,
        take: tuple[datetime, timedelta, int],
        claim: tuple[int, str, timedelta],
    ) -> tuple[datetime | None, int | None]:
        """Count one request unless the window is full (then when one frees up), and, once
        counted, claim one of the endpoint's slots (``budget_claim_thread``), in one
        transaction; the slot is None while all are taken."""
        now, window, allowance = take
        slots, holder, ttl = claim
        require_aware(now, "now")
        with self._write("counting an Autotask request") as session:
            free_at = _take(session, database, now=now, window=window, allowance=allowance)
            if free_at is not None:
                return free_at, None
            slot = _claim_thread(
                session, database, endpoint, slots=slots, holder=holder, now=now, ttl=ttl
            )
            return None, slot

    def budget_used(self, database: str, now: datetime, window: timedelta) -> int:
        """Autotask requests counted in the window ending ``now``."""
        require_aware(now, "now")
        with self._read("reading the Autotask request count") as session:
            return _used(session, database, now=now, window=window)

    def budget_lock_out(self, database: str, until: datetime) -> None:
        """Refuse Autotask requests until ``until`` (a later lock-out wins)."""
        require_aware(until, "until")
        with self._write("locking the Autotask budget") as session:
            _lock_out(session, database, until)

    def budget_locked_until(self, database: str) -> datetime | None:
        """The end of the Autotask database's lock-out, if one was set."""
        with self._read("reading the Autotask lock-out") as session:
            return _locked_until(session, database)

    def budget_save_reading(self, database: str, text: str) -> None:
        """Keep the latest ThresholdInformation reading (JSON text)."""
        with self._write("keeping the Autotask threshold reading") as session:
            _save_reading(session, database, text)

    def budget_reading(self, database: str) -> str | None:
        """The latest ThresholdInformation reading (JSON text), if any."""
        with self._read("reading the Autotask threshold reading") as session:
            return _reading(session, database)

    def budget_look(self, database: str) -> tuple[datetime | None, str | None]:
        """The lock-out's end and the latest threshold reading (JSON text), in one read."""
        with self._read("reading the Autotask budget") as session:
            return _look(session, database)

    def budget_claim_thread(
        self,
        database: str,
        endpoint: str,
        slots: int,
        holder: str,
        now: datetime,
        ttl: timedelta,
    ) -> int | None:
        """Claim a free concurrent-request slot of the endpoint for ``ttl`` (None: none free)."""
        require_aware(now, "now")
        with self._write("claiming an Autotask request slot") as session:
            return _claim_thread(
                session, database, endpoint, slots=slots, holder=holder, now=now, ttl=ttl
            )

    def budget_free_thread(self, database: str, endpoint: str, slot: int, holder: str) -> None:
        """Give a concurrent-request slot back."""
        with self._write("freeing an Autotask request slot") as session:
            _free_thread(session, database, endpoint, slot, holder)
