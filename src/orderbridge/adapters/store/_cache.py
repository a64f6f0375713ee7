"""Upstream metadata kept between processes: one text value per key, with when it was stored.

What a value means, and how long it stays good, is the caller's business (the Autotask adapter
keeps its zone, picklists and vendor ids here). Values are never credentials.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ._statements import replace_rows, table_of
from ._tables import UpstreamCacheRow

__all__ = ["cached_value", "store_cached"]

UPSTREAM_CACHE = table_of(UpstreamCacheRow)


def cached_value(session: Session, tenant: str, key: str) -> tuple[str, datetime] | None:
    """The value stored under ``key`` and when, or None."""
    row = session.get(UpstreamCacheRow, (tenant, key))
    return None if row is None else (row.value, row.stored_at)


def store_cached(session: Session, tenant: str, key: str, value: str, at: datetime) -> None:
    """Insert or replace the value under ``key``."""
    row = {"tenant": tenant, "key": key, "value": value, "stored_at": at}
    replace_rows(session.connection(), UPSTREAM_CACHE, ("tenant", "key"), [row])
