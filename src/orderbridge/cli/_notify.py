"""``orderbridge notify``: send a test message through a channel; show how delivery goes.

``notify test CHANNEL`` sends one message at once, outside the outbox, and prints who it
reached; an Autotask note channel needs ``--ticket ID`` (or ``--project ID``) to write its test
note on. ``notify status`` counts what was sent and failed and lists the latest failures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    existing_store_or_exit,
    fail,
    opened_store,
    settings_or_exit,
    start_logging,
)

if TYPE_CHECKING:
    from rich.table import Table

    from orderbridge.domain.notify_rules import QueuedNotification

__all__ = ["app", "notifications_table"]

app = typer.Typer(
    help="Notification channels: send a test message, see delivery.", no_args_is_help=True
)


_STATUS_STYLE = {"sent": "green", "failed": "red", "pending": "yellow"}  # by DeliveryStatus


def notifications_table(entries: list[QueuedNotification]) -> Table:
    """Who was told what about one order, and when (or why not)."""
    from rich.text import Text

    from orderbridge.domain.notify_rules import DeliveryStatus

    from ._render import titled_table, when

    table = titled_table("Notifications", ("when", "event", "channel", "outcome", "to / why not"))
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
            Text(entry.status.value, style=_STATUS_STYLE[entry.status.value]),
            Text(detail),
        )
    return table


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
    import anyio
    from rich.markup import escape

    from orderbridge.bootstrap_notifications import send_test_message
    from orderbridge.ports import UpstreamError
    from orderbridge.settings import ConfigError

    settings = settings_or_exit(config)
    start_logging(settings)
    names = [c.name for c in settings.notifications.channels]
    if channel not in names:
        known = ", ".join(names) or "none (add [[notifications.channels]] to the configuration)"
        fail([f"no channel named {channel!r}; configured channels: {known}"])
    try:
        reached = anyio.run(send_test_message, settings, channel, ticket, project)
    except ConfigError as exc:
        fail([f"configuration error: {line}" for line in exc.problems])
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
    from orderbridge.bootstrap import utc_now

    settings = settings_or_exit(config)
    existing_store_or_exit(settings, config)
    with opened_store(settings) as store:
        counts = store.notification_counts(settings.tenant, utc_now() - timedelta(days=1))
    console.print(
        f"Last 24 hours: {counts['sent']} sent, {counts['failed']} failed; "
        f"{counts['pending']} waiting to be sent.",
        highlight=False,
    )
    if counts["failed"]:
        raise typer.Exit(EXIT_ORDERS_FAILED)
