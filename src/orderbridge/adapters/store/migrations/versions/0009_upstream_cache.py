"""Upstream metadata kept between processes (Autotask zone, picklists, vendor ids).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "upstream_cache",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_upstream_cache_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant", "key", name=op.f("pk_upstream_cache")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("upstream_cache")
