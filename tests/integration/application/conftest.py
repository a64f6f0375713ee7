"""Fixtures: SyncService wired to in-memory fakes and a real SQLite store in a temp dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.sync import SyncService
from orderbridge.ports import MonitoredScope
from tests.integration.application.sync_fakes import (
    NOW,
    VENDOR,
    FakePurchaseOrders,
    ScriptedDistributor,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated SQLite store."""
    with SqlStore.open(f"sqlite:///{tmp_path / 'sync.db'}") as opened:
        yield opened


@pytest.fixture
def autotask() -> FakePurchaseOrders:
    """No POs yet."""
    return FakePurchaseOrders()


@pytest.fixture
def tdsynnex() -> ScriptedDistributor:
    """No answers scripted yet."""
    return ScriptedDistributor()


@pytest.fixture
def service(
    autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor, store: SqlStore
) -> SyncService:
    """The sync loop over the fakes."""

    async def scope() -> MonitoredScope:
        return MonitoredScope(vendor_ids=(VENDOR,), status_labels=("Submitted", "Received Partial"))

    return SyncService(
        purchase_orders=autotask, distributor=tdsynnex, store=store, scope=scope, clock=lambda: NOW
    )
