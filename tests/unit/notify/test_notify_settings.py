"""The [notifications] section: the issue's contract parses as written; mistakes are named."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from orderbridge.domain.digest import DigestMode, QuietHours
from orderbridge.domain.notices import EventKind
from orderbridge.domain.notify_rules import Person
from orderbridge.settings import ConfigError, load_settings

CONTRACT = """
[notifications]
enabled = true

[[notifications.channels]]
name = "purchasing"
url = "mailtos://buyer:S3cret-Pass@smtp.example.com?to=po@msp.example"

[[notifications.channels]]
name = "customer-ticket"
url = "autotask://ticket-notes?publish=1&note_type=1"

[[notifications.rules]]
events = ["status_changed", "delivered", "error"]
channels = ["purchasing"]
customers = [503]
digest = "hourly"
quiet_hours = "20:00-07:00"
timezone = "Europe/London"
people = ["po_creator", "ticket_resource", "ticket_contact"]

[[notifications.rules]]
events = ["shipped"]
channels = ["customer-ticket"]
"""


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "orderbridge.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def problems(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    return "\n".join(caught.value.problems)


def test_the_contract_parses_as_written(tmp_path: Path) -> None:
    path = tmp_path / "orderbridge.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    settings = load_settings(path)
    notify = settings.notifications
    assert notify.active
    first, second = notify.domain_rules()
    assert first.events == frozenset(
        {EventKind.STATUS_CHANGED, EventKind.DELIVERED, EventKind.ERROR}
    )
    assert first.customers == frozenset({503})
    assert first.digest is DigestMode.HOURLY
    assert first.quiet_hours == QuietHours(time(20), time(7))
    assert first.timezone == "Europe/London"
    assert first.people == (Person.PO_CREATOR, Person.TICKET_RESOURCE, Person.TICKET_CONTACT)
    assert second.channels == ("customer-ticket",)
    assert notify.channels[1].is_autotask
    assert "S3cret-Pass" in settings.secret_values()  # masked in every log line
    assert "S3cret-Pass" not in repr(settings)


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ('events = ["error"]\nchannels = ["teams"]', "rules[0] names channel(s) teams"),
        ('events = ["sent"]\nchannels = ["purchasing"]', "unknown event(s) sent"),
        ('events = ["error"]\nchannels = ["purchasing"]\nquiet_hours = "9-5"', "HH:MM-HH:MM"),
        ('events = ["error"]\nchannels = ["purchasing"]\ntimezone = "Mars/Base"', "Mars/Base"),
        ('events = ["error"]\nchannels = ["purchasing"]\ndigest = "weekly"', "digest"),
        ('events = ["error"]\nchannels = ["hook"]\npeople = ["po_creator"]', "e-mail"),
    ],
)
def test_mistakes_in_rules_are_named(tmp_path: Path, rules: str, expected: str) -> None:
    text = f"""
[[notifications.channels]]
name = "purchasing"
url = "mailtos://buyer:S3cret-Pass@smtp.example.com?to=po@msp.example"
[[notifications.channels]]
name = "hook"
url = "json://hooks.example/x"
[[notifications.rules]]
{rules}
"""
    found = problems(tmp_path, text)
    assert expected in found
    assert "S3cret-Pass" not in found


def test_mistakes_in_channels_are_named(tmp_path: Path) -> None:
    doubled = problems(
        tmp_path,
        '[[notifications.channels]]\nname = "a"\nurl = "json://x/"\n'
        '[[notifications.channels]]\nname = "a"\nurl = "json://y/"\n',
    )
    assert "used twice: a" in doubled
    autotask = problems(
        tmp_path, '[[notifications.channels]]\nname = "t"\nurl = "autotask://tickets"\n'
    )
    assert "autotask://ticket-notes" in autotask
    bare = problems(tmp_path, '[[notifications.channels]]\nname = "t"\nurl = "smtp.example"\n')
    assert "Apprise URL" in bare


def test_environment_overrides_follow_the_scheme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERBRIDGE_NOTIFICATIONS__ENABLED", "false")
    monkeypatch.setenv(
        "ORDERBRIDGE_NOTIFICATIONS__CHANNELS", '[{"name": "env", "url": "json://hooks.example/"}]'
    )
    path = tmp_path / "orderbridge.toml"
    path.write_text("", encoding="utf-8")
    settings = load_settings(path)
    assert settings.notifications.enabled is False
    assert [c.name for c in settings.notifications.channels] == ["env"]
    assert not settings.notifications.active


def test_notifications_are_off_by_default(tmp_path: Path) -> None:
    path = tmp_path / "orderbridge.toml"
    path.write_text("", encoding="utf-8")
    assert not load_settings(path).notifications.active
