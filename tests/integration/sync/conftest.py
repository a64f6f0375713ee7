"""Fixtures: the store tests' real databases (a SQLite file and the PostgreSQL server)."""

from __future__ import annotations

from tests.integration.store.conftest import (  # noqa: F401 - fixtures pytest finds by name
    database_url,
    postgres_server_url,
    postgres_url,
)
