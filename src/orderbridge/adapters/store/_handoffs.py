"""Resync requests a ``orderbridge resync`` hands to the running daemon (the lease holder)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ._records import ResyncRequest
from ._statements import execute, table_of
from ._tables import ResyncRequestRow

__all__ = [
    "claim_resync_requests",
    "finish_resync_request",
    "get_resync_request",
    "request_resync",
    "withdraw_resync_request",
]

RESYNC = table_of(ResyncRequestRow)


def _request(row: ResyncRequestRow) -> ResyncRequest:
    return ResyncRequest(
        id=row.id,
        po_number=row.po_number,
        requested_at=row.requested_at,
        claimed_at=row.claimed_at,
        finished_at=row.finished_at,
        run_id=row.run_id,
    )


def request_resync(session: Session, tenant: str, po_number: str, at: datetime) -> int:
    """Queue a request; returns its id."""
    row = ResyncRequestRow(tenant=tenant, po_number=po_number, requested_at=at)
    session.add(row)
    session.flush()
    return row.id


def claim_resync_requests(session: Session, tenant: str, at: datetime) -> list[ResyncRequest]:
    """Claim every unclaimed request of the tenant, oldest first."""
    rows = list(
        session.scalars(
            select(ResyncRequestRow)
            .where(ResyncRequestRow.tenant == tenant, ResyncRequestRow.claimed_at.is_(None))
            .order_by(ResyncRequestRow.id)
        )
    )
    for row in rows:
        row.claimed_at = at
    session.flush()
    return [_request(row) for row in rows]


def finish_resync_request(
    session: Session, request_id: int, run_id: int | None, at: datetime
) -> None:
    """Answer a claimed request with the run that checked the order."""
    execute(
        session,
        update(RESYNC).where(RESYNC.c.id == request_id).values(finished_at=at, run_id=run_id),
    )


def get_resync_request(session: Session, request_id: int) -> ResyncRequest | None:
    """One request as it stands."""
    row = session.get(ResyncRequestRow, request_id)
    return None if row is None else _request(row)


def withdraw_resync_request(session: Session, request_id: int) -> bool:
    """Take back a request nobody claimed; False when the daemon already has it."""
    statement = delete(RESYNC).where(RESYNC.c.id == request_id, RESYNC.c.claimed_at.is_(None))
    return execute(session, statement).rowcount > 0
