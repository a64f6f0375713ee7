"""Fixtures: the store tests' real SQLite file and PostgreSQL schema, reused here."""

from __future__ import annotations

from tests.integration.store.conftest import (  # noqa: F401 - fixtures pytest finds by name
    database_url,
    postgres_server_url,
    postgres_url,
    store,
)
