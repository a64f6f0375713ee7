"""The store: last-known order state, status history, activity log, settings and leases.

One SQLAlchemy 2 model serves SQLite (the default, a file in WAL mode) and PostgreSQL
(psycopg 3). Alembic migrations ship inside this package and run via ``SqlStore.migrate()``.

    store = SqlStore.open("sqlite:///orderbridge.db")
    run_id = store.start_run("default", started_at)

The API is synchronous; async callers run it in a worker thread. Every failure of the
database surfaces as ``StoreError`` with a message a user can act on (passwords removed).
Runtime settings are not a place for credentials: keys that look like one are rejected.
"""

from __future__ import annotations

from ._errors import StoreError
from ._records import RunRecord, StoredOrder
from ._records_archive import RetentionCounts
from ._records_store import RecordsStore, RestoreRefused
from ._repo import SqlStore
from ._store_copy import StoreCopy, copy_store
from ._tables import DEFAULT_TENANT
from ._tenants import StoredTenant

__all__ = [
    "DEFAULT_TENANT",
    "RecordsStore",
    "RestoreRefused",
    "RetentionCounts",
    "RunRecord",
    "SqlStore",
    "StoreCopy",
    "StoreError",
    "StoredOrder",
    "StoredTenant",
    "copy_store",
]
