"""The sender over a real SQLite store with a stateful fake channel and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.application.notification_sender import DeliveryPolicy, NotificationSender
from orderbridge.domain.digest import DigestMode
from orderbridge.domain.notices import EventKind, Notice, OrderFacts
from orderbridge.domain.notify_rules import DeliveryStatus, PendingNotification, Person
from orderbridge.ports import UpstreamAuthError, UpstreamUnavailable

pytestmark = pytest.mark.anyio

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeChannel:
    """Records what it was asked to send; ``down`` makes it refuse like a dead server."""

    name: str = "purchasing"
    per_order: bool = False
    down: bool = False
    refuse: bool = False
    sent: list[tuple[str, str, OrderFacts | None, tuple[str, ...]]] = field(default_factory=list)

    async def send(
        self, title: str, body: str, *, facts: OrderFacts | None, recipients: Sequence[str]
    ) -> list[str]:
        if self.refuse:
            raise UpstreamAuthError("535 authentication failed")
        if self.down:
            raise UpstreamUnavailable("connection refused")
        self.sent.append((title, body, facts, tuple(recipients)))
        return list(recipients) or [f"{self.name}-default"]

    async def check(self) -> str:
        return "ok"


@dataclass
class People:
    addresses_by_person: dict[Person, list[str]]
    calls: int = 0

    async def addresses(self, person: Person, facts: OrderFacts) -> list[str]:
        self.calls += 1
        return self.addresses_by_person.get(person, [])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'ob.db'}") as opened:
        yield opened


def pending(
    po: str,
    kind: EventKind = EventKind.SHIPPED,
    channel: str = "purchasing",
    cause: str | None = None,
    people: tuple[Person, ...] = (),
    digest: DigestMode = DigestMode.IMMEDIATE,
) -> PendingNotification:
    notice = Notice(kind, f"{po}:{kind}", po, f"PO {po}: {kind}", ("line",), cause)
    return PendingNotification(
        channel, notice, OrderFacts(po, po_id=1), 0, digest, START, people=people
    )


def sender(
    store: SqlStore, clock: Clock, *channels: FakeChannel, **kw: object
) -> NotificationSender:
    return NotificationSender(
        outbox=store,
        channels={c.name: c for c in channels},
        clock=clock,
        policy=DeliveryPolicy(max_attempts=5, initial_backoff_s=60, max_backoff_s=900),
        **kw,  # type: ignore[arg-type]
    )


async def test_a_channel_down_for_an_hour_delivers_once_when_it_comes_back(
    store: SqlStore,
) -> None:
    clock, channel = Clock(), FakeChannel(down=True)
    store.enqueue_notifications(DEFAULT_TENANT, [pending("PO-1")], START)
    send = sender(store, clock, channel)
    send.policy = DeliveryPolicy(max_attempts=10, initial_backoff_s=60, max_backoff_s=1800)
    while clock.now < START + timedelta(hours=1):
        await send.deliver_due()
        clock.now += timedelta(minutes=1)
    assert channel.sent == []
    (entry,) = store.order_notifications(DEFAULT_TENANT, "PO-1")
    assert entry.status is DeliveryStatus.PENDING
    assert entry.attempts <= 7  # backoff: 1, 2, 4, 8, 16, 30 minutes apart, not 60 tries
    assert entry.error == "connection refused"
    channel.down = False
    clock.now += timedelta(hours=1)
    await send.deliver_due()
    await send.deliver_due()
    assert len(channel.sent) == 1
    (entry,) = store.order_notifications(DEFAULT_TENANT, "PO-1")
    assert entry.status is DeliveryStatus.SENT
    assert entry.recipients == ("purchasing-default",)
    assert send.tally.sent == 1


async def test_tries_are_bounded_and_end_failed_with_the_reason(store: SqlStore) -> None:
    clock, channel = Clock(), FakeChannel(down=True)
    store.enqueue_notifications(DEFAULT_TENANT, [pending("PO-1")], START)
    send = sender(store, clock, channel)
    for _ in range(200):
        await send.deliver_due()
        clock.now += timedelta(minutes=5)
    (entry,) = store.order_notifications(DEFAULT_TENANT, "PO-1")
    assert entry.status is DeliveryStatus.FAILED
    assert entry.attempts == 5
    assert entry.error == "connection refused"
    assert send.tally.failed == 1


async def test_refused_credentials_and_unknown_channels_fail_at_once(store: SqlStore) -> None:
    clock = Clock()
    store.enqueue_notifications(
        DEFAULT_TENANT, [pending("PO-1"), pending("PO-2", channel="gone")], START
    )
    await sender(store, clock, FakeChannel(refuse=True)).deliver_due()
    one, two = (store.order_notifications(DEFAULT_TENANT, po)[0] for po in ("PO-1", "PO-2"))
    assert (one.status, one.attempts, one.error) == (
        DeliveryStatus.FAILED,
        1,
        "535 authentication failed",
    )
    assert two.status is DeliveryStatus.FAILED
    assert "'gone' is not configured" in (two.error or "")


async def test_forty_errors_of_one_cause_are_one_message(store: SqlStore) -> None:
    clock, channel = Clock(), FakeChannel()
    entries = [pending(f"PO-{i}", EventKind.ERROR, cause="Rejected: credit") for i in range(40)]
    store.enqueue_notifications(DEFAULT_TENANT, [*entries, pending("PO-X")], START)
    await sender(store, clock, channel).deliver_due()
    titles = sorted(t for t, *_ in channel.sent)
    assert titles == ["40 orders need attention: Rejected: credit", "PO PO-X: shipped"]


async def test_per_order_channels_get_one_message_per_order(store: SqlStore) -> None:
    clock, notes = Clock(), FakeChannel(name="ticket", per_order=True)
    entries = [
        pending("PO-1", channel="ticket", digest=DigestMode.HOURLY),
        pending("PO-1", EventKind.DELIVERED, channel="ticket", digest=DigestMode.HOURLY),
        pending("PO-2", channel="ticket", digest=DigestMode.HOURLY),
    ]
    store.enqueue_notifications(DEFAULT_TENANT, entries, START)
    await sender(store, clock, notes).deliver_due()
    assert sorted(facts.po_number for _, _, facts, _ in notes.sent if facts) == ["PO-1", "PO-2"]


async def test_people_are_resolved_and_recorded_as_recipients(store: SqlStore) -> None:
    clock, mail = Clock(), FakeChannel()
    people = People({Person.PO_CREATOR: ["buyer@example.com"]})
    store.enqueue_notifications(
        DEFAULT_TENANT,
        [
            pending("PO-1", people=(Person.PO_CREATOR,)),
            pending("PO-2", people=(Person.TICKET_CONTACT,)),
        ],
        START,
    )
    await sender(store, clock, mail, people=people).deliver_due()
    assert [r for *_, r in mail.sent] == [("buyer@example.com",)]
    sent = store.order_notifications(DEFAULT_TENANT, "PO-1")[0]
    assert sent.recipients == ("buyer@example.com",)
    nobody = store.order_notifications(DEFAULT_TENANT, "PO-2")[0]
    assert nobody.status is DeliveryStatus.FAILED
    assert "no e-mail address for ticket_contact" in (nobody.error or "")


async def test_errors_collapse_across_claim_batches(store: SqlStore) -> None:
    clock, channel = Clock(), FakeChannel()
    entries = [pending(f"PO-{i}", EventKind.ERROR, cause="Rejected: credit") for i in range(25)]
    store.enqueue_notifications(DEFAULT_TENANT, entries, START)
    send = sender(store, clock, channel)
    send.policy = DeliveryPolicy(batch=10)
    done = await send.deliver_due()
    assert done.sent == 25
    assert [t for t, *_ in channel.sent] == ["25 orders need attention: Rejected: credit"]
