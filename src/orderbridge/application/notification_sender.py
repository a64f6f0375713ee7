"""The sender: drains the notification outbox into the channels.

One pass claims every due entry, groups them (per channel; per digest mode; per order for
channels that need one, such as an Autotask ticket note; per resolved audience for rules that
address people), composes the messages (digests, errors collapsed by cause), sends each and
settles its entries: ``sent`` with the recipients reached, or back to pending with a backoff,
or ``failed`` with the reason once the tries are used up or the failure cannot heal by itself.
A failure here is recorded on the notification and never raised to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio

from orderbridge.domain.digest import DigestMode, compose, retry_at
from orderbridge.domain.notices import OrderFacts
from orderbridge.domain.notify_rules import QueuedNotification
from orderbridge.ports import (
    NotificationChannel,
    NotificationOutbox,
    NotificationUndeliverable,
    PeopleDirectory,
    UpstreamAuthError,
    UpstreamBadPayload,
    UpstreamError,
)

__all__ = ["DeliveryPolicy", "DeliveryTally", "NotificationSender"]


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How hard the sender tries."""

    max_attempts: int = 8
    initial_backoff_s: float = 60.0
    max_backoff_s: float = 3_600.0
    claim_s: float = 300.0
    batch: int = 500


@dataclass(slots=True)
class DeliveryTally:
    """What the sender did since it was made (cumulative; the activity log diffs it)."""

    sent: int = 0
    failed: int = 0
    retried: int = 0

    def as_counts(self) -> dict[str, int]:
        """The tally in the activity log's counter names."""
        return {
            "notifications sent": self.sent,
            "notifications failed": self.failed,
            "notifications retried": self.retried,
        }


class _Permanent(Exception):
    """A failure that more tries will not fix (no such channel, nobody to address)."""


_GroupKey = tuple[str, DigestMode, str, tuple[str, ...]]


@dataclass
class NotificationSender:
    """Delivers due outbox entries through the configured channels."""

    outbox: NotificationOutbox
    channels: Mapping[str, NotificationChannel]
    clock: Callable[[], datetime]
    tenant: str = "default"
    people: PeopleDirectory | None = None
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    tally: DeliveryTally = field(default_factory=DeliveryTally)

    async def deliver_due(self) -> DeliveryTally:
        """Send everything due now; return what this call did. Never raises ``UpstreamError``.

        Every due entry is claimed before any is sent, so one pass sees them all: forty errors
        of one cause are one message however many claim batches they took.
        """
        done = DeliveryTally()
        claimed: list[QueuedNotification] = []
        while True:
            batch: list[QueuedNotification] = await _thread(
                self.outbox.claim_notifications,
                self.tenant,
                self.clock(),
                claim_s=self.policy.claim_s,
                limit=self.policy.batch,
            )
            claimed.extend(batch)
            if len(batch) < self.policy.batch:
                break
        if claimed:
            groups = await self._groups(claimed, done)
            for key, entries in groups.items():
                await self._send_group(key, entries, done)
        self.tally.sent += done.sent
        self.tally.failed += done.failed
        self.tally.retried += done.retried
        return done

    async def _groups(
        self, claimed: Sequence[QueuedNotification], done: DeliveryTally
    ) -> dict[_GroupKey, list[QueuedNotification]]:
        groups: dict[_GroupKey, list[QueuedNotification]] = {}
        for entry in claimed:
            try:
                channel = self._channel(entry.channel)
                audience = await self._audience(entry)
            except (_Permanent, NotificationUndeliverable) as exc:
                await self._settle_failure([entry], str(exc), done, permanent=True)
                continue
            except UpstreamError as exc:
                await self._settle_failure([entry], f"finding recipients: {exc}", done)
                continue
            per_order = entry.facts.po_number if channel.per_order else ""
            groups.setdefault((entry.channel, entry.digest, per_order, audience), []).append(entry)
        return groups

    def _channel(self, name: str) -> NotificationChannel:
        channel = self.channels.get(name)
        if channel is None:
            raise _Permanent(f"channel {name!r} is not configured (notifications.channels)")
        return channel

    async def _audience(self, entry: QueuedNotification) -> tuple[str, ...]:
        """The addresses a rule's ``people`` resolve to; empty means the channel's own."""
        if not entry.people:
            return ()
        if self.people is None:
            raise _Permanent("people cannot be resolved: Autotask is not configured")
        found: list[str] = []
        for person in entry.people:
            found.extend(await self.people.addresses(person, entry.facts))
        if not found:
            wanted = ", ".join(p.value for p in entry.people)
            raise _Permanent(f"Autotask has no e-mail address for {wanted} of this order")
        return tuple(dict.fromkeys(found))

    async def _send_group(
        self, key: _GroupKey, entries: list[QueuedNotification], done: DeliveryTally
    ) -> None:
        name, mode, per_order, audience = key
        channel = self.channels[name]
        by_key: dict[str, list[QueuedNotification]] = {}
        for entry in entries:
            by_key.setdefault(entry.notice.key, []).append(entry)
        facts = entries[0].facts if per_order else _single_order(entries)
        for message in compose([e.notice for e in entries], mode):
            carried = [e for k in message.keys for e in by_key.get(k, [])]
            try:
                reached = await channel.send(
                    message.title, message.body, facts=facts, recipients=audience
                )
            except (UpstreamAuthError, UpstreamBadPayload, NotificationUndeliverable) as exc:
                await self._settle_failure(carried, str(exc), done, permanent=True)
            except UpstreamError as exc:
                await self._settle_failure(carried, str(exc), done)
            else:
                ids = [e.id for e in carried]
                await _thread(self.outbox.mark_notifications_sent, ids, self.clock(), reached)
                done.sent += len(ids)

    async def _settle_failure(
        self,
        entries: Sequence[QueuedNotification],
        reason: str,
        done: DeliveryTally,
        *,
        permanent: bool = False,
    ) -> None:
        now = self.clock()
        for attempts in sorted({e.attempts for e in entries}):
            ids = [e.id for e in entries if e.attempts == attempts]
            when = None
            if not permanent:
                when = retry_at(
                    now,
                    attempts,
                    max_attempts=self.policy.max_attempts,
                    initial_s=self.policy.initial_backoff_s,
                    max_s=self.policy.max_backoff_s,
                )
            await _thread(self.outbox.mark_notifications_failed, ids, now, reason, when)
            if when is None:
                done.failed += len(ids)
            else:
                done.retried += len(ids)


def _single_order(entries: Sequence[QueuedNotification]) -> OrderFacts | None:
    """The order a message is about, when every entry in it is about the same one."""
    numbers = {e.facts.po_number for e in entries}
    return entries[0].facts if len(numbers) == 1 and "" not in numbers else None


async def _thread(func: Callable[..., Any], *args: object, **kwargs: object) -> Any:
    return await anyio.to_thread.run_sync(lambda: func(*args, **kwargs))
