"""``[notifications]``: channels (Apprise URLs or Autotask notes), routing rules and alerts.

The section of ``Settings`` that issue 11's contract names; docs/notifications.md documents
every key. Channel URLs hold credentials, so they are secrets: never printed whole, and fed to
the log redactor.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from orderbridge.domain.digest import DigestMode, QuietHours
from orderbridge.domain.notices import EventKind
from orderbridge.domain.notify_rules import Person, Rule
from orderbridge.domain.schedule import Frequency
from orderbridge.domain.watch import WatchThresholds

__all__ = ["ChannelSettings", "NotificationSettings", "RuleSettings"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelSettings(_Section):
    """One ``[[notifications.channels]]`` entry."""

    name: str
    url: SecretStr

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use 1-64 letters, digits, '.', '_' or '-' (starting with one)")
        return value

    @field_validator("url")
    @classmethod
    def _looks_like_a_url(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value().strip()
        if "://" not in text:
            raise ValueError("write an Apprise URL (mailto://, msteams://, json://, ...)")
        if text.startswith("autotask://"):
            kind = text.removeprefix("autotask://").split("?")[0].strip("/")
            if kind not in ("ticket-notes", "project-notes"):
                raise ValueError("use autotask://ticket-notes or autotask://project-notes")
        return SecretStr(text)

    @property
    def is_autotask(self) -> bool:
        """True for the built-in Autotask note channel."""
        return self.url.get_secret_value().startswith("autotask://")

    @property
    def is_email(self) -> bool:
        """True for an SMTP e-mail channel (the only kind that can address people)."""
        return self.url.get_secret_value().startswith(("mailto://", "mailtos://"))

    def secret_parts(self) -> list[str]:
        """The URL's password and the whole URL, for the log redactor."""
        if self.is_autotask:
            return []
        text = self.url.get_secret_value()
        parts = urlsplit(text)
        found = [text]
        if parts.password:
            found += [parts.password, unquote(parts.password)]
        return [s for s in found if len(s) >= 4]


class RuleSettings(_Section):
    """One ``[[notifications.rules]]`` entry."""

    events: list[str] = Field(min_length=1)
    channels: list[str] = Field(min_length=1)
    customers: list[int] = Field(default_factory=list)
    vendors: list[int] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=list)
    digest: Literal["immediate", "hourly", "daily"] = "immediate"
    digest_at: str = "08:00"
    quiet_hours: str | None = None
    timezone: str = "UTC"
    people: list[Literal["po_creator", "ticket_resource", "ticket_contact"]] = Field(
        default_factory=list
    )

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: list[str]) -> list[str]:
        known = {kind.value for kind in EventKind.routable()}
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(
                f"unknown event(s) {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
            )
        return value

    @field_validator("digest_at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if not _HHMM.match(value.strip()):
            raise ValueError("write the time as HH:MM (24-hour), e.g. 08:00")
        return value.strip()

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else QuietHours.parse(value).text

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return Frequency.parse("hourly", timezone=value.strip()).timezone

    def rule(self) -> Rule:
        """This entry as a domain routing rule."""
        hour, minute = (int(x) for x in self.digest_at.split(":"))
        return Rule(
            events=frozenset(EventKind(e) for e in self.events),
            channels=tuple(dict.fromkeys(self.channels)),
            customers=frozenset(self.customers),
            vendors=frozenset(self.vendors),
            statuses=frozenset(self.statuses),
            digest=DigestMode(self.digest),
            quiet_hours=None if self.quiet_hours is None else QuietHours.parse(self.quiet_hours),
            timezone=self.timezone,
            daily_at=time(hour, minute),
            people=tuple(Person(p) for p in self.people),
        )


class NotificationSettings(_Section):
    """``[notifications]``: who hears about what, through which channel, and when."""

    enabled: bool = True
    channels: list[ChannelSettings] = Field(default_factory=list)
    rules: list[RuleSettings] = Field(default_factory=list)
    eta_slip_days: int | None = Field(default=3, ge=0, le=365)
    backorder_days: int | None = Field(default=14, ge=0, le=365)
    stuck_days: int | None = Field(default=7, ge=1, le=365)
    max_attempts: int = Field(default=8, ge=1, le=50)
    initial_backoff_s: float = Field(default=60.0, ge=1, le=3_600)
    max_backoff_s: float = Field(default=3_600.0, ge=1, le=86_400)
    send_timeout_s: float = Field(default=15.0, gt=0, le=300)
    deliver_every_s: float = Field(default=60.0, ge=5, le=3_600)

    @model_validator(mode="after")
    def _rules_name_channels(self) -> NotificationSettings:
        names = [c.name for c in self.channels]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"channel name(s) used twice: {', '.join(doubled)}")
        for index, rule in enumerate(self.rules):
            missing = [c for c in rule.channels if c not in names]
            if missing:
                raise ValueError(
                    f"rules[{index}] names channel(s) {', '.join(missing)} that "
                    "notifications.channels does not define"
                )
            if rule.people and not any(
                c.is_email for c in self.channels if c.name in rule.channels
            ):
                raise ValueError(
                    f"rules[{index}] addresses people, so it needs an e-mail (mailto://) channel"
                )
        if self.max_backoff_s < self.initial_backoff_s:
            raise ValueError("max_backoff_s must be at least initial_backoff_s")
        return self

    @property
    def active(self) -> bool:
        """True when there is something to send to."""
        return self.enabled and bool(self.channels) and bool(self.rules)

    def domain_rules(self) -> tuple[Rule, ...]:
        """The routing rules, in the order written."""
        return tuple(rule.rule() for rule in self.rules)

    def thresholds(self) -> WatchThresholds:
        """The alert thresholds."""
        return WatchThresholds(
            eta_slip_days=self.eta_slip_days,
            backorder_days=self.backorder_days,
            stuck_days=self.stuck_days,
        )

    def secret_values(self) -> list[str]:
        """Every channel secret, for the log redactor."""
        return [s for channel in self.channels for s in channel.secret_parts()]
