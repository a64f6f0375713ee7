"""Routing: which channels hear about an event, for whom, and when.

A rule matches on the event kind and, optionally, on the PO's customer (purchaseForCompanyID),
vendor account and headline status; it names channels, a digest mode with quiet hours, and
optionally people Autotask knows (resolved to addresses when the message is sent). ``route``
turns the notices of one order into outbox entries: at most one per event key and channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

from orderbridge.domain.digest import DigestMode, QuietHours, due_at
from orderbridge.domain.notices import EventKind, Notice, OrderFacts

__all__ = ["DeliveryStatus", "PendingNotification", "Person", "QueuedNotification", "Rule", "route"]


class Person(StrEnum):
    """People a rule can address through Autotask."""

    PO_CREATOR = "po_creator"
    TICKET_RESOURCE = "ticket_resource"
    TICKET_CONTACT = "ticket_contact"


# When one change is both a status change and an error, a channel hears the error.
_PRECEDENCE = {EventKind.ERROR: 0}


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``[[notifications.rules]]`` entry; empty match sets match everything."""

    events: frozenset[EventKind]
    channels: tuple[str, ...]
    customers: frozenset[int] = frozenset()
    vendors: frozenset[int] = frozenset()
    statuses: frozenset[str] = frozenset()
    digest: DigestMode = DigestMode.IMMEDIATE
    quiet_hours: QuietHours | None = None
    timezone: str = "UTC"
    daily_at: time = time(8, 0)
    people: tuple[Person, ...] = ()

    def matches(self, notice: Notice, facts: OrderFacts) -> bool:
        """True when this rule wants to hear about ``notice`` for that order."""
        if notice.kind not in self.events:
            return False
        if self.customers and facts.customer_id not in self.customers:
            return False
        if self.vendors and facts.vendor_id not in self.vendors:
            return False
        return not self.statuses or (facts.status or "").casefold() in {
            s.casefold() for s in self.statuses
        }

    def due(self, created: datetime) -> datetime:
        """When a notification this rule queued at ``created`` goes out."""
        return due_at(
            created,
            self.digest,
            zone=self.timezone,
            quiet=self.quiet_hours,
            daily_at=self.daily_at,
        )


@dataclass(frozen=True, slots=True)
class PendingNotification:
    """One outbox entry: a notice for one channel, with when and to whom it goes."""

    channel: str
    notice: Notice
    facts: OrderFacts
    rule: int
    digest: DigestMode
    due_at: datetime
    people: tuple[Person, ...] = field(default=())

    @property
    def event_key(self) -> str:
        """The key that makes the entry unique per channel."""
        return self.notice.key


class DeliveryStatus(StrEnum):
    """Where an outbox entry stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class QueuedNotification:
    """An outbox entry as the store hands it back to a sender or a status page."""

    id: int
    tenant: str
    channel: str
    notice: Notice
    facts: OrderFacts
    digest: DigestMode
    people: tuple[Person, ...]
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    finished_at: datetime | None = None
    recipients: tuple[str, ...] = ()
    error: str | None = None


def route(
    notices: Iterable[Notice],
    facts: OrderFacts,
    rules: Sequence[Rule],
    *,
    now: datetime,
    allowed: frozenset[EventKind] | None = None,
) -> list[PendingNotification]:
    """The outbox entries for ``notices`` of one order: one per event key and channel.

    ``allowed`` limits the kinds sent (the first cycle holds back what happened before
    orderbridge watched). When two notices share a key (a change to Rejected is both a status
    change and an error) a channel gets the error; when two rules send the same notice to one
    channel the first rule wins.
    """
    chosen: dict[tuple[str, str], PendingNotification] = {}
    ordered = sorted(notices, key=lambda n: _PRECEDENCE.get(n.kind, 1))
    for notice in ordered:
        if allowed is not None and notice.kind not in allowed:
            continue
        for index, rule in enumerate(rules):
            if not rule.matches(notice, facts):
                continue
            for channel in rule.channels:
                slot = (notice.key, channel)
                if slot in chosen:
                    continue
                chosen[slot] = PendingNotification(
                    channel=channel,
                    notice=notice,
                    facts=facts,
                    rule=index,
                    digest=rule.digest,
                    due_at=rule.due(now),
                    people=rule.people,
                )
    return list(chosen.values())
