"""Fixtures: the worker tests run on the real PostgreSQL server (fresh schema per test)."""

from tests.integration.store.conftest import (  # noqa: F401 - fixtures pytest finds by name
    postgres_server_url,
    postgres_url,
)
