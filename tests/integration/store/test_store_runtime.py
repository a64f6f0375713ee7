"""Runtime settings and the single-runner lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_settings_round_trip_per_tenant(store: SqlStore) -> None:
    assert store.get_setting(DEFAULT_TENANT, "frequency") is None
    store.set_setting(DEFAULT_TENANT, "frequency", "15m")
    store.set_setting(DEFAULT_TENANT, "scope", "submitted,received-partial")
    store.set_setting(DEFAULT_TENANT, "frequency", "30m")
    store.set_setting("acme", "frequency", "1h")
    assert store.get_setting(DEFAULT_TENANT, "frequency") == "30m"
    assert store.settings(DEFAULT_TENANT) == {
        "frequency": "30m",
        "scope": "submitted,received-partial",
    }
    assert store.settings("acme") == {"frequency": "1h"}
    assert store.delete_setting(DEFAULT_TENANT, "scope") is True
    assert store.delete_setting(DEFAULT_TENANT, "scope") is False
    assert store.settings(DEFAULT_TENANT) == {"frequency": "30m"}


@pytest.mark.parametrize("key", ["tdsynnex_password", "Client-Secret", "autotask.API_KEY", ""])
def test_credential_like_or_empty_keys_are_refused(store: SqlStore, key: str) -> None:
    with pytest.raises(ValueError, match=r"credential|characters"):
        store.set_setting(DEFAULT_TENANT, key, "hunter2")
    assert store.settings(DEFAULT_TENANT) == {}


def test_lease_is_exclusive_until_it_expires(store: SqlStore) -> None:
    assert store.acquire_lease("runner", "host-a", 30, T0) is True
    assert store.acquire_lease("runner", "host-b", 30, T0 + timedelta(seconds=29)) is False
    # Re-acquiring our own lease is allowed and extends it.
    assert store.acquire_lease("runner", "host-a", 30, T0 + timedelta(seconds=20)) is True
    assert store.acquire_lease("runner", "host-b", 30, T0 + timedelta(seconds=45)) is False
    assert store.acquire_lease("runner", "host-b", 30, T0 + timedelta(seconds=50)) is True
    # host-a lost it: renewal fails and tells it to stop.
    assert store.renew_lease("runner", "host-a", 30, T0 + timedelta(seconds=51)) is False
    assert store.acquire_lease("other-lease", "host-a", 30, T0) is True


def test_renew_extends_only_an_unexpired_lease(store: SqlStore) -> None:
    assert store.acquire_lease("runner", "host-a", 10, T0) is True
    assert store.renew_lease("runner", "host-a", 10, T0 + timedelta(seconds=9)) is True
    assert store.acquire_lease("runner", "host-b", 10, T0 + timedelta(seconds=18)) is False
    assert (
        store.renew_lease("runner", "host-a", 10, T0 + timedelta(seconds=19, microseconds=1))
        is False
    )
    assert store.renew_lease("runner", "nobody", 10, T0) is False


def test_release_frees_the_lease_only_for_its_holder(store: SqlStore) -> None:
    assert store.acquire_lease("runner", "host-a", 60, T0) is True
    assert store.release_lease("runner", "host-b") is False
    assert store.acquire_lease("runner", "host-b", 60, T0) is False
    assert store.release_lease("runner", "host-a") is True
    assert store.acquire_lease("runner", "host-b", 60, T0) is True


def test_lease_ttl_must_be_positive(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.acquire_lease("runner", "host-a", 0, T0)
