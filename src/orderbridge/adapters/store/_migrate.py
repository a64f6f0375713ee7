"""Alembic run from code: the migrations ship inside the package, no alembic.ini needed."""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from ._engine import WRITE

__all__ = ["BASE_REVISION", "MIGRATIONS_DIR", "current_revision", "head_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BASE_REVISION = "base"

# Any fixed 64-bit number works; it only has to be the same for every orderbridge process.
_PG_MIGRATION_LOCK = 0x6F72_6465_7262_7264


def _config(connection: Connection | None = None) -> Config:
    """An in-memory Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of orderbridge."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    return head or BASE_REVISION


def current_revision(connection: Connection) -> str:
    """The revision the database is at (``base`` for an empty database)."""
    revision = MigrationContext.configure(connection).get_current_revision()
    return revision or BASE_REVISION


def upgrade(engine: Engine, revision: str = "head", *, wait_s: float = 60.0) -> None:
    """Upgrade the schema in one transaction; concurrent starters wait for each other.

    Several processes may start on one new SQLite file at once. Each waits for the others'
    upgrade (SQLite's busy timeout, then further tries until ``wait_s``), and one that finds the
    schema already current does not take the write lock at all.
    """
    target = head_revision() if revision == "head" else revision  # load scripts before locking
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with engine.connect() as connection:
                if current_revision(connection) == target:
                    return
            _upgrade_locked(engine, revision)
            return
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _upgrade_locked(engine: Engine, revision: str) -> None:
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        # SQLite: BEGIN IMMEDIATE (from WRITE) already serialises concurrent starters.
        command.upgrade(_config(connection), revision)
