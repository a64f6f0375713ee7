"""The web dashboard: users, sessions, API tokens, login throttling and order search terms.

Also indexes status history by time (the overview's chart), adds the listing indexes and the
expected delivery date to ``order_state``, and fills the search terms and dates of the orders
already stored.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orderbridge.adapters.store._lookup import expected_delivery, lookup_rows

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL_BATCH = 1000
# The dashboard's listings, one per sort order (see OrderStateRow).
_LISTING_INDEXES = (
    ("tenant", "archived", "updated_at", "po_number", "status", "expected_delivery"),
    ("tenant", "archived", "status", "updated_at", "po_number"),
    ("tenant", "archived", "checked_at", "po_number"),
    ("tenant", "archived", "po_number"),
)


def _utc() -> sa.DateTime:
    """A timestamp column (aware on PostgreSQL; naive UTC on SQLite, converted by the store)."""
    return sa.DateTime(timezone=True)


def _id() -> sa.types.TypeEngine[int]:
    """A 64-bit id that is still SQLite's auto-incrementing INTEGER PRIMARY KEY."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _role_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("role IN ('admin', 'viewer')", name=op.f(f"ck_{table}_role_known"))


def _create_accounts() -> None:
    op.create_table(
        "web_user",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        _role_check("web_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_user")),
        sa.UniqueConstraint("username", name=op.f("uq_web_user_username")),
    )
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", _id(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_user.id"],
            name=op.f("fk_web_session_user_id_web_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_session")),
    )
    op.create_index(op.f("ix_web_session_expires_at"), "web_session", ["expires_at"])
    op.create_table(
        "api_token",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_used_at", _utc(), nullable=True),
        _role_check("api_token"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("name", name=op.f("uq_api_token_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "login_failure",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(op.f("ix_login_failure_username_at"), "login_failure", ["username", "at"])
    op.create_index(op.f("ix_login_failure_remote_at"), "login_failure", ["remote", "at"])


def _create_lookup() -> None:
    op.create_table(
        "order_lookup",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "term",
            sa.String(length=255).with_variant(sa.String(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.id"], name=op.f("fk_order_lookup_tenant_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lookup")),
        sa.UniqueConstraint(
            "tenant",
            "po_number",
            "kind",
            "term",
            name=op.f("uq_order_lookup_tenant_po_number_kind_term"),
        ),
    )
    op.create_index(
        op.f("ix_order_lookup_tenant_term_kind_po_number"),
        "order_lookup",
        ["tenant", "term", "kind", "po_number"],
    )
    op.add_column("order_state", sa.Column("expected_delivery", sa.Date(), nullable=True))
    op.create_index(
        op.f("ix_status_history_tenant_at_to_status"),
        "status_history",
        ["tenant", "at", "to_status"],
    )
    for columns in _LISTING_INDEXES:
        op.create_index(op.f(f"ix_order_state_{'_'.join(columns)}"), "order_state", list(columns))


def _backfill_lookup() -> None:
    """Search terms for the orders stored before this revision, in batches."""
    bind = op.get_bind()
    state = sa.table(
        "order_state",
        sa.column("id", sa.Integer()),
        sa.column("tenant", sa.String()),
        sa.column("po_number", sa.String()),
        sa.column("state", sa.JSON()),
        sa.column("expected_delivery", sa.Date()),
    )
    lookup = sa.table(
        "order_lookup",
        sa.column("tenant", sa.String()),
        sa.column("po_number", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("term", sa.String()),
    )
    last_id = 0
    while True:
        batch = bind.execute(
            sa.select(state.c.id, state.c.tenant, state.c.po_number, state.c.state)
            .where(state.c.id > last_id)
            .order_by(state.c.id)
            .limit(_BACKFILL_BATCH)
        ).all()
        if not batch:
            return
        rows = [r for row in batch for r in lookup_rows(row[1], row[2], dict(row[3] or {}))]
        if rows:
            bind.execute(lookup.insert(), rows)
        etas = [
            {"row_id": row[0], "eta": eta}
            for row in batch
            if (eta := expected_delivery(dict(row[3] or {}))) is not None
        ]
        if etas:
            bind.execute(
                state.update()
                .where(state.c.id == sa.bindparam("row_id"))
                .values(expected_delivery=sa.bindparam("eta")),
                etas,
            )
        last_id = batch[-1][0]


def upgrade() -> None:
    """Apply this revision."""
    _create_accounts()
    _create_lookup()
    _backfill_lookup()


def downgrade() -> None:
    """Revert this revision."""
    for columns in _LISTING_INDEXES:
        op.drop_index(op.f(f"ix_order_state_{'_'.join(columns)}"), table_name="order_state")
    op.drop_index(op.f("ix_status_history_tenant_at_to_status"), table_name="status_history")
    with op.batch_alter_table("order_state") as batch:
        batch.drop_column("expected_delivery")
    op.drop_index(op.f("ix_order_lookup_tenant_term_kind_po_number"), table_name="order_lookup")
    op.drop_table("order_lookup")
    op.drop_index(op.f("ix_login_failure_remote_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_username_at"), table_name="login_failure")
    op.drop_table("login_failure")
    op.drop_table("api_token")
    op.drop_index(op.f("ix_web_session_expires_at"), table_name="web_session")
    op.drop_table("web_session")
    op.drop_table("web_user")
