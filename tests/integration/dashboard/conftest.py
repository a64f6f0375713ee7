"""A real store seeded with orders (a SQLite file, and the PostgreSQL server) and the read models.

The route and browser tests use the SQLite file; the read-model tests run on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.queries import DashboardQueries
from tests.integration.store.conftest import postgres_server_url, postgres_url

from .seed import NOW, seed_orders

__all__ = ["postgres_server_url", "postgres_url"]  # fixtures shared with the store tests


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated SQLite store holding the seed orders."""
    with SqlStore.open(f"sqlite:///{tmp_path / 'orderbridge.db'}") as opened:
        seed_orders(opened)
        yield opened


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """The seed orders in a SQLite file, or in a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'orderbridge.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    with SqlStore.open(url) as opened:
        seed_orders(opened)
        yield opened


@pytest.fixture
def queries(any_store: SqlStore) -> DashboardQueries:
    """The read models, with the clock fixed at the seed's 'now'."""
    return DashboardQueries(any_store.dashboard_reads(), clock=lambda: NOW)
