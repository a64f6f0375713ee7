"""Copy a whole store into another database (``orderbridge migrate-store``).

The copy is a backup of the source (consistent, safe while it is read) restored into the
target in one transaction, then checked table by table: every row of every table arrives, or
the command says which table differs. Moving from a SQLite file to PostgreSQL is the usual case;
any store can be copied into any other that is empty.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from ._errors import StoreError, translate_errors
from ._records_store import RUNNER_LEASES, RecordsStore, RestoreRefused
from ._repo import SqlStore
from ._tables import Base

__all__ = ["StoreCopy", "copy_store"]


@dataclass(frozen=True, slots=True)
class StoreCopy:
    """What a copy moved: rows per table (tables with rows only)."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.rows.values())


def table_rows(store: SqlStore) -> dict[str, int]:
    """Rows per orderbridge table of ``store`` (Alembic's own table left out)."""
    with translate_errors(store._url, "counting rows"), store.engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def copy_store(source: SqlStore, target: SqlStore, *, force: bool = False) -> StoreCopy:
    """Copy every row of ``source`` into ``target`` (empty, unless ``force``), then verify.

    Refused (``RestoreRefused``) while a runner holds the source's lease, since what it wrote
    after the copy would be lost, and when the target is not empty and ``force`` is not given.
    """
    if source.url == target.url:
        raise RestoreRefused("the target is the store itself: name another database")
    holder = source.active_lease_holder(RUNNER_LEASES, datetime.now(UTC))
    if holder is not None:
        raise RestoreRefused(
            f"an orderbridge runner ({holder[0]}) is using the store: stop it first, so "
            "nothing it writes after the copy is lost"
        )
    with tempfile.TemporaryDirectory(prefix="orderbridge-copy-") as scratch:
        backup = Path(scratch) / "store.backup"
        RecordsStore(source).backup(backup, use_pg_dump=False)
        RecordsStore(target).restore(backup, force=force)
    expected, found = table_rows(source), table_rows(target)
    differing = sorted(name for name in expected if expected[name] != found.get(name))
    if differing:
        shown = ", ".join(f"{n} ({expected[n]} rows, copied {found.get(n, 0)})" for n in differing)
        raise StoreError(f"the copy is incomplete: {shown}; the source store is unchanged")
    return StoreCopy({name: n for name, n in found.items() if n})
