"""Upstream metadata kept between processes: stored, replaced, kept apart per tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderbridge.adapters.store import SqlStore

AT = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def test_a_cached_value_is_kept_and_replaced_per_tenant(store: SqlStore) -> None:
    assert store.cached_upstream("default", "zone") is None
    store.cache_upstream("default", "zone", '{"url": "a"}', AT)
    store.cache_upstream("other", "zone", '{"url": "b"}', AT)
    assert store.cached_upstream("default", "zone") == ('{"url": "a"}', AT)
    later = AT + timedelta(hours=1)
    store.cache_upstream("default", "zone", '{"url": "c"}', later)
    assert store.cached_upstream("default", "zone") == ('{"url": "c"}', later)
    assert store.cached_upstream("other", "zone") == ('{"url": "b"}', AT)


def test_naive_times_and_overlong_keys_are_refused(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.cache_upstream("default", "zone", "{}", datetime(2026, 12, 2))
    with pytest.raises(ValueError, match="at most 255"):
        store.cache_upstream("default", "k" * 256, "{}", AT)
