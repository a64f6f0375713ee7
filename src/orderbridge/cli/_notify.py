"""``orderbridge notify``: send a test message through a channel; show how delivery goes.

``notify test CHANNEL`` sends one message at once, outside the outbox, and prints who it
reached; an Autotask note channel needs ``--ticket ID`` (or ``--project ID``) to write its test
note on. ``notify status`` counts what was sent and failed and lists the latest failures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import anyio
import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from orderbridge.adapters.autotask import AutotaskClient
from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore, StoreError
from orderbridge.application.doctor_findings import Check
from orderbridge.application.doctor_notifications import channel_checks, delivery_check
from orderbridge.bootstrap import autotask_client, open_store, utc_now
from orderbridge.bootstrap_notifications import notification_channels
from orderbridge.domain.notices import OrderFacts
from orderbridge.domain.notify_rules import DeliveryStatus, QueuedNotification
from orderbridge.ports import UpstreamError
from orderbridge.settings import Settings

from ._common import (
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    fail,
    settings_or_exit,
    start_logging,
)
from ._render import when

__all__ = ["app", "notification_doctor_checks", "notifications_table"]

app = typer.Typer(
    help="Notification channels: send a test message, see delivery.", no_args_is_help=True
)

TEST_TITLE = "orderbridge test message"
TEST_BODY = (
    "This is a test from orderbridge. If you can read it, the channel works: order updates, "
    "delivery and error alerts will arrive here as the notification rules say."
)


_STATUS_STYLE = {
    DeliveryStatus.SENT: "green",
    DeliveryStatus.FAILED: "red",
    DeliveryStatus.PENDING: "yellow",
}


def notifications_table(entries: list[QueuedNotification]) -> Table:
    """Who was told what about one order, and when (or why not)."""
    table = Table(title="Notifications", title_justify="left")
    for column in ("when", "event", "channel", "outcome", "to / why not"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        if entry.status is DeliveryStatus.SENT:
            detail = ", ".join(entry.recipients)
        elif entry.status is DeliveryStatus.FAILED:
            detail = f"{entry.error or ''} (after {entry.attempts} tries)"
        else:
            waiting = f"retrying at {when(entry.next_attempt_at)}: " if entry.attempts else ""
            detail = f"{waiting}{entry.error or ''}" or f"due {when(entry.next_attempt_at)}"
        table.add_row(
            when(entry.finished_at or entry.created_at),
            Text(entry.notice.kind.value),
            Text(entry.channel),
            Text(entry.status.value, style=_STATUS_STYLE[entry.status]),
            Text(detail),
        )
    return table


def _autotask_for_notes(settings: Settings) -> AutotaskClient | None:
    """A client for Autotask note channels, when there are some and credentials are set."""
    if not any(c.is_autotask for c in settings.notifications.channels):
        return None
    if any(p.startswith("autotask.") for p in settings.credential_problems()):
        return None
    return autotask_client(settings)


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
        store = SqlStore(settings.store.url)
        try:
            since = utc_now() - timedelta(days=1)
            counts = await anyio.to_thread.run_sync(
                lambda: store.notification_counts(DEFAULT_TENANT, since)
            )
            checks.append(delivery_check(counts))
        except StoreError:
            pass  # the store check above already says what is wrong with the store
        finally:
            store.close()
    return checks


async def _send(
    settings: Settings, name: str, ticket: int | None, project: int | None
) -> list[str]:
    entry = next(c for c in settings.notifications.channels if c.name == name)
    client = None
    if entry.is_autotask:
        problems = [p for p in settings.credential_problems() if p.startswith("autotask.")]
        if problems:
            fail([f"configuration error: {line}" for line in problems])
        client = autotask_client(settings)
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


@app.command("test")
def send_test(
    channel: Annotated[str, typer.Argument(help="The channel's name in notifications.channels.")],
    ticket: Annotated[
        int | None, typer.Option("--ticket", help="Ticket id for an Autotask ticket-notes channel.")
    ] = None,
    project: Annotated[
        int | None,
        typer.Option("--project", help="Project id for an Autotask project-notes channel."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Send a test message through CHANNEL now and say who it reached."""
    settings = settings_or_exit(config)
    start_logging(settings)
    names = [c.name for c in settings.notifications.channels]
    if channel not in names:
        known = ", ".join(names) or "none (add [[notifications.channels]] to the configuration)"
        fail([f"no channel named {channel!r}; configured channels: {known}"])
    try:
        reached = anyio.run(_send, settings, channel, ticket, project)
    except UpstreamError as exc:
        fail([f"the test message was not sent: {exc}"], EXIT_ORDERS_FAILED)
    console.print(
        f"Sent a test message through {escape(channel)} to {escape(', '.join(reached))}.",
        highlight=False,
        soft_wrap=True,
    )


@app.command("status")
def status(config: ConfigOption = None) -> None:
    """Count notifications sent and failed in the last 24 hours, and those waiting."""
    settings = settings_or_exit(config)
    try:
        with open_store(settings) as store:
            counts = store.notification_counts(DEFAULT_TENANT, utc_now() - timedelta(days=1))
    except StoreError as exc:
        fail([f"store error: {exc}"])
    console.print(
        f"Last 24 hours: {counts['sent']} sent, {counts['failed']} failed; "
        f"{counts['pending']} waiting to be sent.",
        highlight=False,
    )
    if counts["failed"]:
        raise typer.Exit(EXIT_ORDERS_FAILED)
