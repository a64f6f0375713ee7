"""The delivery report's per-order facts, filled for the orders already stored.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orderbridge.adapters.store._records_report import fill_facts

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEAD_STAGES = (
    "submitted_to_accepted",
    "accepted_to_shipped",
    "shipped_to_delivered",
    "delivered_to_invoiced",
    "submitted_to_delivered",
)
_DIMENSIONS = ("month", "manufacturer", "part", "warehouse", "carrier", "customer")


def _utc(name: str, *, nullable: bool = True) -> sa.Column[object]:
    """A timestamp column (aware on PostgreSQL; naive UTC on SQLite, converted by the store)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Apply this revision, then work out the facts of every stored order."""
    op.create_table(
        "order_facts",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        _utc("first_seen_at", nullable=False),
        _utc("submitted", nullable=False),
        _utc("accepted"),
        _utc("shipped"),
        _utc("delivered"),
        _utc("invoiced"),
        sa.Column("first_eta", sa.Date(), nullable=True),
        sa.Column("expected_delivery", sa.Date(), nullable=True),
        *(sa.Column(f"{stage}_days", sa.Float(), nullable=True) for stage in _LEAD_STAGES),
        sa.Column("on_time_eta", sa.Boolean(), nullable=True),
        sa.Column("on_time_expected", sa.Boolean(), nullable=True),
        sa.Column("eta_slips", sa.Integer(), nullable=False),
        sa.Column("eta_slip_days", sa.Integer(), nullable=False),
        sa.Column("backorder_days", sa.Integer(), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("invoice_total", sa.String(length=40), nullable=False),
        sa.Column("freight", sa.String(length=40), nullable=False),
        *(sa.Column(dimension, sa.Text(), nullable=False) for dimension in _DIMENSIONS),
        sa.ForeignKeyConstraint(
            ["tenant", "po_number"],
            ["order_state.tenant", "order_state.po_number"],
            name=op.f("fk_order_facts_tenant_order_state"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "po_number", name=op.f("pk_order_facts")),
    )
    op.create_index(
        op.f("ix_order_facts_tenant_first_seen_at"), "order_facts", ["tenant", "first_seen_at"]
    )
    fill_facts(op.get_bind())


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_order_facts_tenant_first_seen_at"), table_name="order_facts")
    op.drop_table("order_facts")
