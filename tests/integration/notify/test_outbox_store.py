"""The outbox in the store: queued with the history, once per key and channel, settled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore, StoreError
from orderbridge.domain.digest import DigestMode
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.notices import EventKind, Notice, OrderFacts
from orderbridge.domain.notify_rules import DeliveryStatus, PendingNotification, Person

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = "PO-1:status:1:None->Shipped"


def entry(channel: str = "purchasing", key: str = KEY, due: datetime = NOW) -> PendingNotification:
    notice = Notice(EventKind.STATUS_CHANGED, key, "PO-1", "PO PO-1: Submitted -> Shipped")
    return PendingNotification(
        channel=channel,
        notice=notice,
        facts=OrderFacts("PO-1", po_id=7, customer_id=503),
        rule=0,
        digest=DigestMode.IMMEDIATE,
        due_at=due,
        people=(Person.PO_CREATOR,),
    )


def history() -> HistoryEntry:
    return HistoryEntry("PO-1", NOW, None, "Shipped", HistorySource.TDSYNNEX, "first seen", KEY)


def save(store: SqlStore, *entries: PendingNotification) -> int:
    return store.save_order(
        DEFAULT_TENANT,
        "PO-1",
        po_id=7,
        status="Shipped",
        state={"status": "Shipped"},
        fingerprint="f",
        history=[history()],
        checked_at=NOW,
        notifications=entries,
    )


def test_saving_an_order_queues_its_notifications_once(store: SqlStore) -> None:
    save(store, entry(), entry("teams"))
    save(store, entry(), entry("teams"))  # a replayed cycle
    assert store.enqueue_notifications(DEFAULT_TENANT, [entry()], NOW) == 0
    queued = store.order_notifications(DEFAULT_TENANT, "PO-1")
    assert sorted(q.channel for q in queued) == ["purchasing", "teams"]
    first = queued[0]
    assert first.notice.key == KEY
    assert first.facts.customer_id == 503
    assert first.people == (Person.PO_CREATOR,)
    assert first.status is DeliveryStatus.PENDING


def test_a_failed_save_queues_nothing_and_saves_nothing(store: SqlStore) -> None:
    bad = entry(due=NOW.replace(tzinfo=None))
    with pytest.raises(StoreError, match="timezone-aware"):
        save(store, bad)
    assert store.order_notifications(DEFAULT_TENANT, "PO-1") == []
    assert store.load_state(DEFAULT_TENANT, "PO-1") is None


def test_claims_hide_entries_until_they_run_out(store: SqlStore) -> None:
    store.enqueue_notifications(
        DEFAULT_TENANT, [entry(), entry("late", due=NOW + timedelta(hours=1))], NOW
    )
    (claimed,) = store.claim_notifications(DEFAULT_TENANT, NOW, claim_s=60)
    assert claimed.channel == "purchasing"
    assert claimed.attempts == 1
    assert store.claim_notifications(DEFAULT_TENANT, NOW + timedelta(seconds=59), claim_s=60) == []
    # The sender died with its claim: the entry comes back once the claim ran out.
    again = store.claim_notifications(DEFAULT_TENANT, NOW + timedelta(seconds=61), claim_s=60)
    assert [q.id for q in again] == [claimed.id]
    assert again[0].attempts == 2


def test_settling_sent_and_failed(store: SqlStore) -> None:
    store.enqueue_notifications(DEFAULT_TENANT, [entry(), entry("teams")], NOW)
    sent, down = sorted(
        store.claim_notifications(DEFAULT_TENANT, NOW, claim_s=60), key=lambda q: q.channel
    )
    store.mark_notifications_sent([sent.id], NOW, ["buyer@example.com"])
    store.mark_notifications_failed(
        [down.id], NOW, "connection refused", NOW + timedelta(minutes=5)
    )
    assert store.claim_notifications(DEFAULT_TENANT, NOW + timedelta(minutes=4), claim_s=60) == []
    (retry,) = store.claim_notifications(DEFAULT_TENANT, NOW + timedelta(minutes=5), claim_s=60)
    store.mark_notifications_failed([retry.id], NOW + timedelta(minutes=5), "still down", None)
    by_channel = {q.channel: q for q in store.order_notifications(DEFAULT_TENANT, "PO-1")}
    assert by_channel["purchasing"].status is DeliveryStatus.SENT
    assert by_channel["purchasing"].recipients == ("buyer@example.com",)
    assert by_channel["teams"].status is DeliveryStatus.FAILED
    assert by_channel["teams"].error == "still down"
    assert by_channel["teams"].attempts == 2
    counts = store.notification_counts(DEFAULT_TENANT, NOW - timedelta(hours=1))
    assert counts == {"sent": 1, "failed": 1, "pending": 0}
