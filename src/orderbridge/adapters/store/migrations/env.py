"""Alembic environment: runs on the connection the store hands over (or a URL, for developers)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from orderbridge.adapters.store._tables import Base


def _run(connection: Connection) -> None:
    """Run the pending migrations on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    """Use the store's connection when given one, else ``sqlalchemy.url`` from the config."""
    if context.is_offline_mode():
        raise RuntimeError("offline (SQL script) migrations are not supported")
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url to run these migrations with the alembic CLI")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


_main()
