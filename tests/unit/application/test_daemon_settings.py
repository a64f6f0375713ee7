"""The new ``[sync]`` and ``[retry]`` keys: defaults, validation naming the key, wiring."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orderbridge.adapters import RetryPolicy
from orderbridge.bootstrap import _retry_policy, file_runtime_values
from orderbridge.domain.schedule import FrequencyKind
from orderbridge.domain.scope import ScopeKind
from orderbridge.settings import ConfigError, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("ORDERBRIDGE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def config(tmp_path: Path, text: str) -> Path:
    """A config file with ``text``."""
    path = tmp_path / "orderbridge.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_defaults() -> None:
    settings = load_settings(None)
    sync, retry = settings.sync, settings.retry
    assert (sync.enabled, sync.frequency, sync.daily_at, sync.timezone) == (
        True,
        "hourly",
        "06:00",
        "UTC",
    )
    assert (sync.min_gap_s, sync.scope, sync.budget_share, sync.lease_ttl_s) == (
        60,
        "active",
        0.5,
        120,
    )
    assert (retry.attempts, retry.initial_backoff_s, retry.max_backoff_s) == (3, 0.5, 10)
    assert retry.total_timeout_s == 60
    assert settings.autotask.finished_statuses == ["Received Full", "Canceled"]


def test_values_are_parsed_into_a_schedule_and_a_scope(tmp_path: Path) -> None:
    settings = load_settings(
        config(
            tmp_path,
            '[sync]\nfrequency = "daily"\ndaily_at = "7:30"\ntimezone = "Europe/London"\n'
            'scope = "recent 90"\nenabled = false\n',
        )
    )
    values = file_runtime_values(settings)
    assert values.enabled is False
    assert values.frequency.kind is FrequencyKind.DAILY
    assert values.frequency.describe() == "daily at 07:30 Europe/London"
    assert (values.scope.kind, values.scope.days) == (ScopeKind.RECENT, 90)


def test_environment_overrides_the_frequency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERBRIDGE_SYNC__FREQUENCY", "*/10 * * * *")
    assert load_settings(None).sync.frequency == "custom:*/10 * * * *"


def test_every_bad_value_is_one_line_naming_its_key(tmp_path: Path) -> None:
    path = config(
        tmp_path,
        '[sync]\nfrequency = "15x"\ntimezone = "Mars/Olympus"\nscope = "lately"\n'
        'daily_at = "25:00"\nbudget_share = 1.5\nmin_gap_s = 0\nlease_ttl_s = 1\n'
        "[retry]\nattempts = 0\ninitial_backoff_s = 5\nmax_backoff_s = 1\n",
    )
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    problems = error.value.problems
    keys = [line.split(":", 1)[0] for line in problems]
    assert keys == [
        "sync.frequency",
        "sync.daily_at",
        "sync.timezone",
        "sync.min_gap_s",
        "sync.scope",
        "sync.budget_share",
        "sync.lease_ttl_s",
        "retry.attempts",
        "retry.max_backoff_s",
    ]
    assert problems[0].startswith("sync.frequency: '15x' is not an interval like 15m")
    assert "Value error" not in "\n".join(problems)


def test_retry_settings_make_the_one_retry_policy_of_both_clients(tmp_path: Path) -> None:
    settings = load_settings(
        config(
            tmp_path,
            "[retry]\nattempts = 5\ninitial_backoff_s = 0.25\nmax_backoff_s = 4\n"
            "total_timeout_s = 30\n",
        )
    )
    assert _retry_policy(settings) == RetryPolicy(
        attempts=5, initial_backoff_s=0.25, max_backoff_s=4, total_timeout_s=30
    )
