"""Notification outbox: the ``notification`` table becomes a transactional outbox.

The table of revision 0001 was never written by any release, so it is replaced rather than
altered: one row per event key and channel, with its payload, due time, attempts, outcome and
the recipients it reached.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
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


def upgrade() -> None:
    """Apply this revision."""
    op.drop_table("notification")
    op.create_table(
        "notification",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=True),
        sa.Column("event_key", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.Integer(), nullable=True),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("recipients", _json(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_notification_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint(
            "tenant",
            "event_key",
            "channel",
            name=op.f("uq_notification_tenant_event_key_channel"),
        ),
    )
    op.create_index(
        op.f("ix_notification_status_next_attempt_at"),
        "notification",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_notification_tenant_po_number"),
        "notification",
        ["tenant", "po_number"],
        unique=False,
    )
    op.create_index(
        op.f("ix_notification_tenant_finished_at"),
        "notification",
        ["tenant", "finished_at"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision (outbox rows are dropped with the table)."""
    op.drop_index(op.f("ix_notification_tenant_finished_at"), table_name="notification")
    op.drop_index(op.f("ix_notification_tenant_po_number"), table_name="notification")
    op.drop_index(op.f("ix_notification_status_next_attempt_at"), table_name="notification")
    op.drop_table("notification")
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
