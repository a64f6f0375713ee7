"""A real SQLite store file seeded with orders, and the read models over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.queries import DashboardQueries

from .seed import NOW, seed_orders


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated SQLite store holding the seed orders."""
    with SqlStore.open(f"sqlite:///{tmp_path / 'orderbridge.db'}") as opened:
        seed_orders(opened)
        yield opened


@pytest.fixture
def queries(store: SqlStore) -> DashboardQueries:
    """The read models, with the clock fixed at the seed's 'now'."""
    return DashboardQueries(store.dashboard_reads(), clock=lambda: NOW)
