"""What orderbridge last wrote per order, fields a tenant does not keep, run-level warnings.

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("order_state") as batch:
        batch.add_column(sa.Column("written", _json(), nullable=True))
    with op.batch_alter_table("sync_run") as batch:
        batch.add_column(sa.Column("warnings", _json(), nullable=True))
    op.create_table(
        "field_quirk",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=128), nullable=False),
        sa.Column("record", sa.String(length=128), nullable=False),
        sa.Column("wanted", sa.Text(), nullable=False),
        sa.Column("found", sa.Text(), nullable=False),
        sa.Column("config_digest", sa.String(length=64), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_field_quirk_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant", "field", name=op.f("pk_field_quirk")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("field_quirk")
    with op.batch_alter_table("sync_run") as batch:
        batch.drop_column("warnings")
    with op.batch_alter_table("order_state") as batch:
        batch.drop_column("written")
