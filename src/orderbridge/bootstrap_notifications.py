"""The composition root's notification part: channels, people directory, sender, cycle hooks.

Kept beside ``bootstrap`` (and used only by it and the CLI's ``notify`` command) so the sync
graph's wiring stays small: ``cycle_notices`` returns None when notifications are off or have
nowhere to go, and the sync loop then runs exactly as without them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from orderbridge.adapters.autotask import AutotaskClient
from orderbridge.adapters.notify import (
    AppriseChannel,
    AutotaskNoteChannel,
    AutotaskPeople,
    parse_autotask_url,
)
from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.application.notification_sender import DeliveryPolicy, NotificationSender
from orderbridge.application.notifications import CycleNotices, NotificationPolicy
from orderbridge.notification_settings import NotificationSettings
from orderbridge.ports import NotificationChannel

__all__ = ["cycle_notices", "notification_channels", "notification_sender"]


def notification_channels(
    settings: NotificationSettings, autotask: AutotaskClient | None
) -> dict[str, NotificationChannel]:
    """Every configured channel by name (Autotask note channels need ``autotask``)."""
    channels: dict[str, NotificationChannel] = {}
    for entry in settings.channels:
        url = entry.url.get_secret_value()
        if entry.is_autotask:
            if autotask is None:
                continue
            channels[entry.name] = AutotaskNoteChannel(
                entry.name, parse_autotask_url(url), autotask
            )
        else:
            channels[entry.name] = AppriseChannel(
                entry.name, url, timeout_s=settings.send_timeout_s
            )
    return channels


def notification_sender(
    settings: NotificationSettings,
    store: SqlStore,
    autotask: AutotaskClient | None,
    clock: Callable[[], datetime],
) -> NotificationSender:
    """The outbox sender over the configured channels."""
    return NotificationSender(
        outbox=store,
        channels=notification_channels(settings, autotask),
        clock=clock,
        tenant=DEFAULT_TENANT,
        people=None if autotask is None else AutotaskPeople(autotask, clock),
        policy=DeliveryPolicy(
            max_attempts=settings.max_attempts,
            initial_backoff_s=settings.initial_backoff_s,
            max_backoff_s=settings.max_backoff_s,
            claim_s=max(300.0, settings.send_timeout_s * 10),
        ),
    )


def cycle_notices(
    settings: NotificationSettings,
    store: SqlStore,
    autotask: AutotaskClient | None,
    clock: Callable[[], datetime],
) -> CycleNotices | None:
    """The sync cycle's notification hooks, or None when there is nothing to notify."""
    if not settings.active:
        return None
    policy = NotificationPolicy(
        rules=settings.domain_rules(),
        channels=tuple(c.name for c in settings.channels),
        thresholds=settings.thresholds(),
        summary_channels=tuple(c.name for c in settings.channels if not c.is_autotask),
    )
    return CycleNotices(
        outbox=store,
        policy=policy,
        clock=clock,
        sender=notification_sender(settings, store, autotask, clock),
        tenant=DEFAULT_TENANT,
    )
