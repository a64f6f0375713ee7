"""Records: the audit trail, and an index for exports and reports by date.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    """A timestamp column (aware on PostgreSQL; naive UTC on SQLite, converted by the store)."""
    return sa.DateTime(timezone=True)


def _id() -> sa.types.TypeEngine[int]:
    """A 64-bit id that is still SQLite's auto-incrementing INTEGER PRIMARY KEY."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_entry",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("po_number", sa.String(length=64), nullable=True),
        sa.Column("po_id", sa.BigInteger(), nullable=True),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.Column("field", sa.String(length=128), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("stuck", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("kind <> ''", name=op.f("ck_audit_entry_kind_not_empty")),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_audit_entry_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index(op.f("ix_audit_entry_tenant_at"), "audit_entry", ["tenant", "at"])
    op.create_index(
        op.f("ix_audit_entry_tenant_po_number_at"), "audit_entry", ["tenant", "po_number", "at"]
    )
    op.create_index(op.f("ix_status_history_tenant_at"), "status_history", ["tenant", "at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_status_history_tenant_at"), table_name="status_history")
    op.drop_index(op.f("ix_audit_entry_tenant_po_number_at"), table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_tenant_at"), table_name="audit_entry")
    op.drop_table("audit_entry")
