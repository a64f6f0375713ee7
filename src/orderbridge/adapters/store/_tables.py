"""The store's tables as typed SQLAlchemy 2 models (one model for SQLite and PostgreSQL).

Migrations in ``migrations/versions`` create exactly these tables; a test compares the two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
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
    "Base",
    "FieldQuirkRow",
    "LeaseRow",
    "NotificationRow",
    "OrderEventRow",
    "OrderStateRow",
    "ResyncRequestRow",
    "SettingRow",
    "StatusHistoryRow",
    "SyncRunRow",
    "TenantRow",
    "UtcDateTime",
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


class OrderStateRow(Base):
    """The last known state of one PO, as opaque JSON plus a fingerprint."""

    __tablename__ = "order_state"
    __table_args__ = (
        UniqueConstraint("tenant", "po_number"),
        Index(None, "tenant", "status"),
        Index(None, "tenant", "updated_at"),
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


class StatusHistoryRow(Base):
    """One append-only status change; the key makes replays harmless."""

    __tablename__ = "status_history"
    __table_args__ = (
        UniqueConstraint("tenant", "po_number", "key"),
        Index(None, "tenant", "po_number", "at"),
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
    """One outbound notification, de-duplicated per tenant by its key."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("tenant", "dedup_key"),)

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), ForeignKey("tenant.id"))
    dedup_key: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
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
