"""Initial schema: tenants, last-known order state, history, activity log, settings, leases.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    """A timestamp column (aware on PostgreSQL; naive UTC on SQLite, converted by the store)."""
    return sa.DateTime(timezone=True)


def _id() -> sa.types.TypeEngine[int]:
    """A 64-bit id that is still SQLite's auto-incrementing INTEGER PRIMARY KEY."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    """JSON, stored as JSONB on PostgreSQL."""
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _insert_default_tenant() -> None:
    """Every installation starts with the tenant called ``default``."""
    tenant = sa.table("tenant", sa.column("id", sa.String()), sa.column("created_at", _utc()))
    created = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        created = created.replace(tzinfo=None)
    op.bulk_insert(tenant, [{"id": "default", "created_at": created}])


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "lease",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("acquired_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lease")),
    )
    op.create_table(
        "tenant",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
    )
    op.create_table(
        "notification",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("dedup_key", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_notification_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("tenant", "dedup_key", name=op.f("uq_notification_tenant_dedup_key")),
    )
    op.create_table(
        "order_state",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("po_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("state", _json(), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("checked_at", _utc(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("archived_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_order_state_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_state")),
        sa.UniqueConstraint("tenant", "po_number", name=op.f("uq_order_state_tenant_po_number")),
    )
    op.create_index(
        op.f("ix_order_state_tenant_status"), "order_state", ["tenant", "status"], unique=False
    )
    op.create_index(
        op.f("ix_order_state_tenant_updated_at"),
        "order_state",
        ["tenant", "updated_at"],
        unique=False,
    )
    op.create_table(
        "setting",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenant.id"], name=op.f("fk_setting_tenant_tenant")),
        sa.PrimaryKeyConstraint("tenant", "key", name=op.f("pk_setting")),
    )
    op.create_table(
        "status_history",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("from_status", sa.String(length=64), nullable=True),
        sa.Column("to_status", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.CheckConstraint("key <> ''", name=op.f("ck_status_history_key_not_empty")),
        sa.CheckConstraint("to_status <> ''", name=op.f("ck_status_history_to_status_not_empty")),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_status_history_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_history")),
        sa.UniqueConstraint(
            "tenant", "po_number", "key", name=op.f("uq_status_history_tenant_po_number_key")
        ),
    )
    op.create_index(
        op.f("ix_status_history_tenant_po_number_at"),
        "status_history",
        ["tenant", "po_number", "at"],
        unique=False,
    )
    op.create_table(
        "sync_run",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("monitored", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("requests", _json(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["tenant"], ["tenant.id"], name=op.f("fk_sync_run_tenant_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    op.create_index(
        op.f("ix_sync_run_tenant_outcome"), "sync_run", ["tenant", "outcome"], unique=False
    )
    op.create_index(
        op.f("ix_sync_run_tenant_started_at"), "sync_run", ["tenant", "started_at"], unique=False
    )
    op.create_table(
        "order_event",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("run_id", _id(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("po_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("changes", _json(), nullable=False),
        sa.Column("warnings", _json(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_run.id"],
            name=op.f("fk_order_event_run_id_sync_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_order_event_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_event")),
        sa.UniqueConstraint("run_id", "po_number", name=op.f("uq_order_event_run_id_po_number")),
    )
    op.create_index(
        op.f("ix_order_event_tenant_po_number_at"),
        "order_event",
        ["tenant", "po_number", "at"],
        unique=False,
    )
    _insert_default_tenant()


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_order_event_tenant_po_number_at"), table_name="order_event")
    op.drop_table("order_event")
    op.drop_index(op.f("ix_sync_run_tenant_started_at"), table_name="sync_run")
    op.drop_index(op.f("ix_sync_run_tenant_outcome"), table_name="sync_run")
    op.drop_table("sync_run")
    op.drop_index(op.f("ix_status_history_tenant_po_number_at"), table_name="status_history")
    op.drop_table("status_history")
    op.drop_table("setting")
    op.drop_index(op.f("ix_order_state_tenant_updated_at"), table_name="order_state")
    op.drop_index(op.f("ix_order_state_tenant_status"), table_name="order_state")
    op.drop_table("order_state")
    op.drop_table("notification")
    op.drop_table("tenant")
    op.drop_table("lease")
