"""The store's tables as typed SQLAlchemy 2 models (one model for SQLite and PostgreSQL).

Migrations in ``migrations/versions`` create exactly these tables; a test compares the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "DEFAULT_TENANT",
    "ApiTokenRow",
    "AuditEntryRow",
    "Base",
    "BudgetRequestRow",
    "BudgetStateRow",
    "BudgetThreadRow",
    "FieldQuirkRow",
    "LeaseRow",
    "LoginFailureRow",
    "NotificationRow",
    "OrderEventRow",
    "OrderFactsRow",
    "OrderLookupRow",
    "OrderStateRow",
    "ResyncRequestRow",
    "SettingRow",
    "StatusHistoryRow",
    "SyncRunRow",
    "TenantConfigRow",
    "TenantRow",
    "UpstreamCacheRow",
    "UtcDateTime",
    "WebSessionRow",
    "WebUserRow",
]

DEFAULT_TENANT = "default"

# Named constraints keep SQLite batch migrations and PostgreSQL in step.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in and out; SQLite stores them naive, in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; normalise to UTC (naive UTC for SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the store needs timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC whatever the backend handed back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _json() -> TypeEngine[Any]:
    """JSON everywhere, JSONB on PostgreSQL."""
    return JSON().with_variant(JSONB(), "postgresql")


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base carrying the shared metadata and naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantRow(Base):
    """One Autotask/TD SYNNEX account pair served by this installation."""

    __tablename__ = "tenant"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TenantConfigRow(Base):
    """A tenant's configuration: its own sections of the settings, credentials encrypted.

    ``settings`` holds the non-secret keys (JSON, by section); ``secrets`` is one ciphertext of
    every credential, encrypted under the key named by ``key_id`` (ADR 48, ADR 49).
    """

    __tablename__ = "tenant_config"

    name: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean())
    settings: Mapped[dict[str, Any]] = mapped_column(_json())
    secrets: Mapped[str] = mapped_column(Text())
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OrderStateRow(Base):
    """The last known state of one PO, as opaque JSON plus a fingerprint."""

    __tablename__ = "order_state"
    __table_args__ = (
        UniqueConstraint("tenant", "po_number"),
        Index(None, "tenant", "status"),
        Index(None, "tenant", "updated_at"),
        # The dashboard's listings: one index per sort order, each ending in the PO number so
        # filters, counts and pages are answered from the index without reading the JSON state.
        Index(None, "tenant", "archived", "updated_at", "po_number", "status", "expected_delivery"),
        Index(None, "tenant", "archived", "status", "updated_at", "po_number"),
        Index(None, "tenant", "archived", "checked_at", "po_number"),
        Index(None, "tenant", "archived", "po_number"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    po_number: Mapped[str] = mapped_column(String(64))
    po_id: Mapped[int | None] = mapped_column(BigInteger())
    status: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(_json())
    fingerprint: Mapped[str] = mapped_column(String(128))
    # What orderbridge last wrote to this PO and its items: field key -> digest of the value.
    written: Mapped[dict[str, Any] | None] = mapped_column(_json())
    version: Mapped[int] = mapped_column(Integer(), default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    archived: Mapped[bool] = mapped_column(Boolean(), default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Copied from the state when it is saved, for the dashboard's "late against ETA" filter.
    expected_delivery: Mapped[date | None] = mapped_column(Date())


class StatusHistoryRow(Base):
    """One append-only status change; the key makes replays harmless."""

    __tablename__ = "status_history"
    __table_args__ = (
        UniqueConstraint("tenant", "po_number", "key"),
        Index(None, "tenant", "po_number", "at"),
        # The dashboard's chart of status changes per day reads history by time alone.
        Index(None, "tenant", "at", "to_status"),
        Index(None, "tenant", "at"),  # records: exports and reports --since
        CheckConstraint("key <> ''", name="key_not_empty"),
        CheckConstraint("to_status <> ''", name="to_status_not_empty"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    po_number: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    from_status: Mapped[str | None] = mapped_column(String(64))
    to_status: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text())
    key: Mapped[str] = mapped_column(String(512))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SyncRunRow(Base):
    """One sync run in the activity log."""

    __tablename__ = "sync_run"
    __table_args__ = (
        Index(None, "tenant", "started_at"),
        Index(None, "tenant", "outcome"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(16), server_default="scheduled")
    monitored: Mapped[int] = mapped_column(Integer(), default=0)
    checked: Mapped[int] = mapped_column(Integer(), default=0)
    updated: Mapped[int] = mapped_column(Integer(), default=0)
    unchanged: Mapped[int] = mapped_column(Integer(), default=0)
    failed: Mapped[int] = mapped_column(Integer(), default=0)
    skipped: Mapped[int] = mapped_column(Integer(), default=0)
    requests: Mapped[dict[str, Any]] = mapped_column(_json())
    error: Mapped[str | None] = mapped_column(Text())
    warnings: Mapped[list[str] | None] = mapped_column(_json())


class OrderEventRow(Base):
    """What one run did with one order."""

    __tablename__ = "order_event"
    __table_args__ = (
        UniqueConstraint("run_id", "po_number"),
        Index(None, "tenant", "po_number", "at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("sync_run.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    po_number: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(16))
    po_id: Mapped[int | None] = mapped_column(BigInteger())
    status: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[list[str]] = mapped_column(_json())
    warnings: Mapped[list[str]] = mapped_column(_json())
    error: Mapped[str | None] = mapped_column(Text())


class SettingRow(Base):
    """A runtime setting (frequency, scope, ...); never a credential."""

    __tablename__ = "setting"

    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LeaseRow(Base):
    """A named, expiring lease that lets exactly one process act as the runner."""

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NotificationRow(Base):
    """One outbox entry: a notice for one channel, sent at most once per event key and channel.

    ``status`` is ``pending`` until delivered (``sent``, with the resolved recipients) or given
    up (``failed``, with the reason). ``next_attempt_at`` is when a sender may take it next: the
    digest/quiet-hours due time first, later the retry backoff or a sender's claim on it.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("tenant", "event_key", "channel"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "tenant", "po_number"),
        Index(None, "tenant", "finished_at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    po_number: Mapped[str | None] = mapped_column(String(64))
    event_key: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(64))
    rule: Mapped[int | None] = mapped_column(Integer())
    digest: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(_json())
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    recipients: Mapped[list[str]] = mapped_column(_json())
    error: Mapped[str | None] = mapped_column(Text())


class ResyncRequestRow(Base):
    """``orderbridge resync PO`` handed to the running daemon: claimed, run, answered."""

    __tablename__ = "resync_request"
    __table_args__ = (Index(None, "tenant", "finished_at"),)

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    po_number: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    run_id: Mapped[int | None] = mapped_column(BigInteger())


class FieldQuirkRow(Base):
    """A field this tenant does not keep as written: orderbridge stops writing it (ADR 22)."""

    __tablename__ = "field_quirk"

    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(128), primary_key=True)
    record: Mapped[str] = mapped_column(String(128))
    wanted: Mapped[str] = mapped_column(Text())
    found: Mapped[str] = mapped_column(Text())
    config_digest: Mapped[str] = mapped_column(String(64))
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime())


# -- the web dashboard (migration 0008) ----------------------------------------------------------


class OrderLookupRow(Base):
    """A searchable term of one order (PO, TD SYNNEX order, tracking or part number).

    Derived from ``order_state.state`` whenever an order is saved, so a search is an index range
    scan instead of a scan of every order's JSON.
    """

    __tablename__ = "order_lookup"
    __table_args__ = (
        UniqueConstraint("tenant", "po_number", "kind", "term"),
        # Covering, so a prefix search never reads the table itself.
        Index(None, "tenant", "term", "kind", "po_number"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    po_number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    # Byte order on PostgreSQL too: prefix ranges must not depend on the database's locale.
    term: Mapped[str] = mapped_column(
        String(255).with_variant(String(255, collation="C"), "postgresql")
    )


class WebUserRow(Base):
    """A dashboard user: a name, a role and an argon2 password hash (never the password)."""

    __tablename__ = "web_user"
    __table_args__ = (
        UniqueConstraint("username"),
        CheckConstraint("role IN ('admin', 'viewer')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebSessionRow(Base):
    """A signed-in browser session; the cookie holds a secret whose sha256 is the key here."""

    __tablename__ = "web_session"
    __table_args__ = (Index(None, "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("web_user.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiTokenRow(Base):
    """A named API token for scripts; only the token's sha256 is kept."""

    __tablename__ = "api_token"
    __table_args__ = (
        UniqueConstraint("name"),
        UniqueConstraint("token_hash"),
        CheckConstraint("role IN ('admin', 'viewer')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LoginFailureRow(Base):
    """One failed sign-in, kept for a while to throttle password guessing."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index(None, "username", "at"),
        Index(None, "remote", "at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    remote: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class UpstreamCacheRow(Base):
    """Slow-changing upstream metadata kept between processes (ADR 24); never a credential."""

    __tablename__ = "upstream_cache"

    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text())
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime())


# -- the Autotask request budget, shared by every process using the store --------------------


class BudgetStateRow(Base):
    """One Autotask database's lock-out and latest threshold reading (JSON text)."""

    __tablename__ = "autotask_budget"

    database: Mapped[str] = mapped_column(String(255), primary_key=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reading: Mapped[str | None] = mapped_column(Text())


class BudgetRequestRow(Base):
    """One request counted against an Autotask database's budget (kept for one timeframe)."""

    __tablename__ = "autotask_budget_request"
    __table_args__ = (Index(None, "database", "sent_at"),)

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    database: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BudgetThreadRow(Base):
    """One of an Autotask endpoint's concurrent-request slots, shared by every process.

    ``holder`` is the process that sends a request on it now; a slot whose ``expires_at`` has
    passed is free again (its holder died or outlived its request timeout).
    """

    __tablename__ = "autotask_thread_slot"

    database: Mapped[str] = mapped_column(String(255), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(100), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# -- records (issue 13): the audit trail ------------------------------------------------------


class AuditEntryRow(Base):
    """One Autotask write or settings change; never updated, deleted only by retention.

    ``run_id`` is deliberately not a foreign key: the activity log is pruned after
    ``retention.activity_log_days`` while the audit trail is kept (by default) forever.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index(None, "tenant", "at"),
        Index(None, "tenant", "po_number", "at"),
        CheckConstraint("kind <> ''", name="kind_not_empty"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(255))
    run_id: Mapped[int | None] = mapped_column(BigInteger())
    po_number: Mapped[str | None] = mapped_column(String(64))
    po_id: Mapped[int | None] = mapped_column(BigInteger())
    item_id: Mapped[int | None] = mapped_column(BigInteger())
    field: Mapped[str] = mapped_column(String(128))
    before: Mapped[str | None] = mapped_column(Text())
    after: Mapped[str | None] = mapped_column(Text())
    stuck: Mapped[bool | None] = mapped_column(Boolean())
    error: Mapped[str | None] = mapped_column(Text())


# -- records: the delivery report's per-order facts (migration …_order_facts) ----------------


class OrderFactsRow(Base):
    """One order's delivery facts, worked out from its state and history whenever it is saved.

    The delivery report reads these rows (numbers and group names) instead of every order's JSON
    state and history (ADR 0043). Lead times are kept in days, as the report counts them, so a
    report parses no dates; the group columns hold the order's group names one per line (an
    order with two parts counts under each).
    """

    __tablename__ = "order_facts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "po_number"],
            ["order_state.tenant", "order_state.po_number"],
            ondelete="CASCADE",
        ),
        Index(None, "tenant", "first_seen_at"),  # the report's --since/--until window
    )

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    po_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted: Mapped[datetime | None] = mapped_column(UtcDateTime())
    shipped: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered: Mapped[datetime | None] = mapped_column(UtcDateTime())
    invoiced: Mapped[datetime | None] = mapped_column(UtcDateTime())
    first_eta: Mapped[date | None] = mapped_column(Date())
    expected_delivery: Mapped[date | None] = mapped_column(Date())
    submitted_to_accepted_days: Mapped[float | None] = mapped_column(Float())
    accepted_to_shipped_days: Mapped[float | None] = mapped_column(Float())
    shipped_to_delivered_days: Mapped[float | None] = mapped_column(Float())
    delivered_to_invoiced_days: Mapped[float | None] = mapped_column(Float())
    submitted_to_delivered_days: Mapped[float | None] = mapped_column(Float())
    on_time_eta: Mapped[bool | None] = mapped_column(Boolean())
    on_time_expected: Mapped[bool | None] = mapped_column(Boolean())
    eta_slips: Mapped[int] = mapped_column(Integer())
    eta_slip_days: Mapped[int] = mapped_column(Integer())
    backorder_days: Mapped[int | None] = mapped_column(Integer())
    partial: Mapped[bool] = mapped_column(Boolean())
    # Exact decimal text (SQLite has no exact decimal type).
    invoice_total: Mapped[str] = mapped_column(String(40))
    freight: Mapped[str] = mapped_column(String(40))
    # One column per report dimension (``Dimension`` values): the order's groups, one per line.
    month: Mapped[str] = mapped_column(Text())
    manufacturer: Mapped[str] = mapped_column(Text())
    part: Mapped[str] = mapped_column(Text())
    warehouse: Mapped[str] = mapped_column(Text())
    carrier: Mapped[str] = mapped_column(Text())
    customer: Mapped[str] = mapped_column(Text())


class RunBatchRow(Base):
    """One order batch of a cycle that workers run (``orderbridge worker``).

    A cycle is one ``sync_run``; its planner splits the orders due into batches, each a job of
    its own. ``state`` is ``pending`` until a worker finished the batch (``done``); ``tally``
    holds the batch's counts and request figures, which the last batch adds up into the run.
    Batch 0 is the planner's own share (the Autotask reads that found the orders).
    """

    __tablename__ = "run_batch"
    __table_args__ = (Index(None, "tenant", "state"),)

    run_id: Mapped[int] = mapped_column(
        _BIG_ID, ForeignKey("sync_run.id", ondelete="CASCADE"), primary_key=True
    )
    batch_no: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    po_ids: Mapped[list[int]] = mapped_column(_json())
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    tally: Mapped[dict[str, Any] | None] = mapped_column(_json())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
