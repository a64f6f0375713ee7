"""Doctor checks for notifications: every channel's URL and reachability, and recent failures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orderbridge.ports import (
    NotificationChannel,
    NotificationUndeliverable,
    UpstreamAuthError,
    UpstreamBadPayload,
    UpstreamError,
)

from ._findings import Check, Outcome

__all__ = ["channel_checks", "delivery_check"]


async def _one(name: str, channel: NotificationChannel | None) -> Check:
    label = f"notification channel {name}"
    if channel is None:
        return Check(
            label,
            Outcome.WARN,
            "an Autotask note channel, but Autotask is not configured",
            "set the [autotask] credentials, or remove the channel",
        )
    try:
        detail = await channel.check()
    except (NotificationUndeliverable, UpstreamBadPayload) as exc:
        return Check(
            label, Outcome.FAIL, str(exc), "correct the channel's url (docs/notifications.md)"
        )
    except UpstreamAuthError as exc:
        return Check(label, Outcome.FAIL, str(exc), "correct the credentials in the channel's url")
    except UpstreamError as exc:
        return Check(
            label,
            Outcome.FAIL,
            str(exc),
            "make sure the server is up and this machine may connect to it "
            "(then: orderbridge notify test " + name + ")",
        )
    return Check(label, Outcome.PASS, detail)


async def channel_checks(
    configured: Sequence[str], channels: Mapping[str, NotificationChannel], *, enabled: bool
) -> list[Check]:
    """One check per configured channel (none when notifications are off or have no channel)."""
    if not configured:
        return []
    if not enabled:
        return [
            Check(
                "notifications",
                Outcome.WARN,
                f"{len(configured)} channels configured but notifications.enabled is false",
                "set notifications.enabled = true to send them",
            )
        ]
    return [await _one(name, channels.get(name)) for name in configured]


def delivery_check(counts: Mapping[str, int]) -> Check:
    """How delivery went over the last day, from the outbox's counts."""
    sent, failed, pending = counts.get("sent", 0), counts.get("failed", 0), counts.get("pending", 0)
    detail = f"last 24 hours: {sent} sent, {failed} failed; {pending} waiting"
    if failed:
        return Check(
            "notification delivery",
            Outcome.WARN,
            detail,
            "see the reasons with: orderbridge notify status (or orderbridge status PO)",
        )
    return Check("notification delivery", Outcome.PASS, detail)
