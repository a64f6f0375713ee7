"""The composition root's notification part: channels, people directory, sender, cycle hooks.

Kept beside ``bootstrap`` (and used only by it and the CLI's ``notify`` command) so the sync
graph's wiring stays small: ``cycle_notices`` returns None when notifications are off or have
nowhere to go, and the sync loop then runs exactly as without them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio

from orderbridge.adapters.autotask import AutotaskClient
from orderbridge.adapters.notify import (
    AppriseChannel,
    AutotaskNoteChannel,
    AutotaskPeople,
    parse_autotask_url,
)
from orderbridge.adapters.store import SqlStore, StoreError
from orderbridge.application.doctor import Check, channel_checks, delivery_check
from orderbridge.application.notification_sender import DeliveryPolicy, NotificationSender
from orderbridge.application.notifications import CycleNotices, NotificationPolicy
from orderbridge.domain.notices import OrderFacts
from orderbridge.notification_settings import NotificationSettings
from orderbridge.ports import NotificationChannel
from orderbridge.settings import ConfigError, Settings

TEST_TITLE = "orderbridge test message"
TEST_BODY = (
    "This is a test from orderbridge. If you can read it, the channel works: order updates, "
    "delivery and error alerts will arrive here as the notification rules say."
)

__all__ = [
    "cycle_notices",
    "notification_channels",
    "notification_doctor_checks",
    "notification_sender",
    "send_test_message",
]


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
    tenant: str,
) -> NotificationSender:
    """The outbox sender over the configured channels."""
    return NotificationSender(
        outbox=store,
        channels=notification_channels(settings, autotask),
        clock=clock,
        tenant=tenant,
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
    tenant: str,
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
        sender=notification_sender(settings, store, autotask, clock, tenant),
        tenant=tenant,
    )


def _autotask_for_notes(settings: Settings) -> AutotaskClient | None:
    """A client for Autotask note channels, when there are some and credentials are set."""
    from orderbridge.bootstrap import _autotask_client  # bootstrap imports this module

    if not any(c.is_autotask for c in settings.notifications.channels):
        return None
    if any(p.startswith("autotask.") for p in settings.credential_problems()):
        return None
    return _autotask_client(settings)


async def notification_doctor_checks(settings: Settings) -> list[Check]:
    """Doctor's notification checks: each channel, then the last day's delivery."""
    notify = settings.notifications
    client = _autotask_for_notes(settings)
    try:
        checks = await channel_checks(
            [c.name for c in notify.channels],
            notification_channels(notify, client),
            enabled=notify.enabled,
        )
    finally:
        if client is not None:
            await client.aclose()
    if notify.channels:
        store = SqlStore(settings.store.url)  # read as found: doctor does not upgrade it
        try:
            since = datetime.now(UTC) - timedelta(days=1)
            counts = await anyio.to_thread.run_sync(
                lambda: store.notification_counts(settings.tenant, since)
            )
            checks.append(delivery_check(counts))
        except StoreError:
            pass  # the store check above already says what is wrong with the store
        finally:
            store.close()
    return checks


async def send_test_message(
    settings: Settings, name: str, ticket: int | None, project: int | None
) -> list[str]:
    """Send the test message through channel ``name`` now; who or what it reached.

    ``ConfigError`` when an Autotask note channel lacks Autotask credentials.
    """
    from orderbridge.bootstrap import _autotask_client  # bootstrap imports this module

    entry = next(c for c in settings.notifications.channels if c.name == name)
    client = None
    if entry.is_autotask:
        problems = [p for p in settings.credential_problems() if p.startswith("autotask.")]
        if problems:
            raise ConfigError(problems)
        client = _autotask_client(settings)
    try:
        channel = notification_channels(settings.notifications, client)[name]
        facts = OrderFacts(
            "TEST",
            ticket_ids=() if ticket is None else (ticket,),
            project_ids=() if project is None else (project,),
        )
        return await channel.send(TEST_TITLE, TEST_BODY, facts=facts, recipients=())
    finally:
        if client is not None:
            await client.aclose()
