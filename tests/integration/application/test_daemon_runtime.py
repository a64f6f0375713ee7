"""Runtime settings: seeded from the file once, then the store wins; validated; reset."""

from __future__ import annotations

import logging

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.runtime import RUNTIME_KEYS, RuntimeSettings, canonical_value
from orderbridge.domain.schedule import FrequencyKind
from orderbridge.domain.scope import ScopeKind
from tests.integration.application.daemon_fakes import file_values


def test_first_read_seeds_every_key_from_the_file(store: SqlStore) -> None:
    runtime = RuntimeSettings(store, file_values("daily", enabled=False))
    values = runtime.load()
    assert (values.enabled, values.frequency.kind) == (False, FrequencyKind.DAILY)
    assert store.settings("default") == {
        "daily_at": "06:00",
        "enabled": "false",
        "frequency": "daily",
        "min_gap_s": "60",
        "scope": "active",
        "timezone": "UTC",
    }
    assert {e.source for e in runtime.entries()} == {"file"}


def test_after_seeding_the_store_wins_until_reset(store: SqlStore) -> None:
    RuntimeSettings(store, file_values("hourly")).load()
    changed_file = RuntimeSettings(store, file_values("custom:15m"))
    assert changed_file.load().frequency.kind is FrequencyKind.HOURLY
    entry = {e.key: e for e in changed_file.entries()}["frequency"]
    assert (entry.value, entry.source, entry.file_value) == ("hourly", "store", "custom:15m")
    assert changed_file.reset().frequency.text == "custom:15m"
    assert changed_file.load().frequency.text == "custom:15m"
    assert {e.source for e in changed_file.entries()} == {"file"}


def test_set_validates_and_stores_the_canonical_text(store: SqlStore) -> None:
    runtime = RuntimeSettings(store, file_values())
    assert runtime.set("frequency", "every 15 minutes").frequency.text == "custom:15m"
    assert runtime.set("scope", "recent 60 days").scope.days == 60
    assert runtime.set("timezone", "Europe/London").frequency.timezone == "Europe/London"
    assert runtime.set("enabled", "off").enabled is False
    stored = store.settings("default")
    assert (stored["frequency"], stored["scope"], stored["enabled"]) == (
        "custom:15m",
        "recent:60",
        "false",
    )
    assert {e.key: e.source for e in runtime.entries()}["scope"] == "store"


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("frequency", "15x", "is not an interval like 15m"),
        ("frequency", "custom:30s", "at least 1 minute"),
        ("scope", "recent:0", "out of range"),
        ("timezone", "Mars/Olympus", "is not a time zone"),
        ("daily_at", "25:00", "is not a time of day"),
        ("min_gap_s", "-5", "out of range"),
        ("enabled", "maybe", "use true or false"),
        ("colour", "blue", "is not a runtime setting"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_stored(
    store: SqlStore, key: str, text: str, message: str
) -> None:
    runtime = RuntimeSettings(store, file_values())
    runtime.load()
    before = store.settings("default")
    assert set(before) == set(RUNTIME_KEYS)
    with pytest.raises(ValueError, match=message):
        runtime.set(key, text)
    assert store.settings("default") == before


def test_a_corrupt_stored_value_falls_back_to_the_file_and_says_so(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = RuntimeSettings(store, file_values("custom:5m"))
    runtime.load()
    store.set_setting("default", "frequency", "whenever")
    with caplog.at_level(logging.WARNING):
        assert runtime.load().frequency.text == "custom:5m"
    assert "frequency" in caplog.text
    entry = {e.key: e for e in runtime.entries()}["frequency"]
    assert "'whenever' is invalid" in entry.note


def test_canonical_values_read_back_to_themselves() -> None:
    for key, text in [
        ("frequency", "*/15 8-18 * * 1-5"),
        ("scope", "all orders"),
        ("min_gap_s", "90.0"),
        ("daily_at", "7:05"),
    ]:
        once = canonical_value(key, text)
        assert canonical_value(key, once) == once
    assert canonical_value("scope", "all orders") == ScopeKind.ALL.value
    assert canonical_value("daily_at", "7:05") == "07:05"
