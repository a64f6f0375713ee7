"""Metadata cache: fresh values return, stale ones do not; a failing store costs requests only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderbridge.adapters.autotask import MetadataCache

pytestmark = pytest.mark.anyio

START = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class DictStore:
    """A set-backed stand-in for the store's two cache methods."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[str, datetime]] = {}

    def cached_upstream(self, tenant: str, key: str) -> tuple[str, datetime] | None:
        return self.rows.get((tenant, key))

    def cache_upstream(self, tenant: str, key: str, value: str, stored_at: datetime) -> None:
        self.rows[(tenant, key)] = (value, stored_at)


class BrokenStore:
    """A store whose database is gone."""

    def cached_upstream(self, tenant: str, key: str) -> tuple[str, datetime] | None:
        raise RuntimeError("database is locked")

    def cache_upstream(self, tenant: str, key: str, value: str, stored_at: datetime) -> None:
        raise RuntimeError("database is locked")


async def test_values_are_good_for_their_time_to_live_only() -> None:
    now = [START]
    store = DictStore()
    cache = MetadataCache(store, tenant="default", ttl_s=60, clock=lambda: now[0])
    await cache.put("zone", {"url": "https://z/", "ci": 7})
    assert await cache.get("zone") == {"url": "https://z/", "ci": 7}
    assert await cache.get("other") is None
    now[0] = START + timedelta(seconds=60)
    assert await cache.get("zone") is None
    now[0] = START - timedelta(seconds=1)  # stored "in the future": the clock moved back
    assert await cache.get("zone") is None
    store.rows[("default", "zone")] = ("{not json", START)
    now[0] = START
    assert await cache.get("zone") is None


async def test_a_store_that_fails_only_costs_requests() -> None:
    cache = MetadataCache(BrokenStore(), tenant="default", ttl_s=60, clock=lambda: START)
    await cache.put("zone", {"url": "https://z/"})
    assert await cache.get("zone") is None
