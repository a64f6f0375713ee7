"""Resync requests handed to a running daemon; what started each run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("sync_run") as batch:
        batch.add_column(
            sa.Column("trigger", sa.String(length=16), nullable=False, server_default="scheduled")
        )
    op.create_table(
        "resync_request",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("requested_at", _utc(), nullable=False),
        sa.Column("claimed_at", _utc(), nullable=True),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_resync_request_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resync_request")),
    )
    op.create_index(
        op.f("ix_resync_request_tenant_finished_at"),
        "resync_request",
        ["tenant", "finished_at"],
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_resync_request_tenant_finished_at"), table_name="resync_request")
    op.drop_table("resync_request")
    with op.batch_alter_table("sync_run") as batch:
        batch.drop_column("trigger")
