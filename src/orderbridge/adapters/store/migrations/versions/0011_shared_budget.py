"""The Autotask request budget in the store, shared by every process that uses it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "autotask_budget",
        sa.Column("database", sa.String(length=255), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reading", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("database", name=op.f("pk_autotask_budget")),
    )
    op.create_table(
        "autotask_budget_request",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("database", sa.String(length=255), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autotask_budget_request")),
    )
    op.create_index(
        op.f("ix_autotask_budget_request_database_sent_at"),
        "autotask_budget_request",
        ["database", "sent_at"],
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(
        op.f("ix_autotask_budget_request_database_sent_at"), table_name="autotask_budget_request"
    )
    op.drop_table("autotask_budget_request")
    op.drop_table("autotask_budget")
