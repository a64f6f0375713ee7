"""Routing rules and the notices events become."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.digest import DigestMode, QuietHours
from orderbridge.domain.events import (
    Delivered,
    Invoiced,
    Problem,
    Shipped,
    StatusChanged,
)
from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.notices import HISTORY_KINDS, EventKind, Notice, OrderFacts, notice_for
from orderbridge.domain.notify_rules import Person, Rule, route

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
FACTS = OrderFacts("PO-1", po_id=7, customer_id=503, vendor_id=29, status="Rejected")
KEY = "PO-1:status:1:Processing->Rejected"


def rule(**kw: object) -> Rule:
    base: dict[str, object] = {
        "events": frozenset({EventKind.STATUS_CHANGED, EventKind.ERROR}),
        "channels": ("purchasing",),
    }
    base.update(kw)
    return Rule(**base)  # type: ignore[arg-type]


def rejected() -> list[Notice]:
    return [
        notice_for(StatusChanged("PO-1", KEY, OrderStatus.PROCESSING, OrderStatus.REJECTED)),
        notice_for(Problem("PO-1", KEY, OrderStatus.REJECTED, "credit hold")),
    ]


def test_a_change_that_is_also_an_error_reaches_a_channel_once_as_the_error() -> None:
    (entry,) = route(rejected(), FACTS, [rule()], now=NOW)
    assert entry.notice.kind is EventKind.ERROR
    assert entry.notice.cause == "Rejected: credit hold"
    assert entry.due_at == NOW


def test_rules_match_on_customer_vendor_and_status() -> None:
    notices = rejected()
    assert route(notices, FACTS, [rule(customers=frozenset({503}))], now=NOW)
    assert not route(notices, FACTS, [rule(customers=frozenset({504}))], now=NOW)
    assert route(notices, FACTS, [rule(vendors=frozenset({29}))], now=NOW)
    assert not route(notices, FACTS, [rule(vendors=frozenset({30}))], now=NOW)
    assert route(notices, FACTS, [rule(statuses=frozenset({"rejected"}))], now=NOW)
    assert not route(notices, FACTS, [rule(statuses=frozenset({"Shipped"}))], now=NOW)


def test_each_channel_of_each_matching_rule_gets_one_entry() -> None:
    rules = [
        rule(channels=("purchasing", "teams")),
        rule(channels=("teams", "ticket"), digest=DigestMode.HOURLY),
    ]
    entries = route(rejected(), FACTS, rules, now=NOW)
    assert sorted(e.channel for e in entries) == ["purchasing", "teams", "ticket"]
    ticket = next(e for e in entries if e.channel == "ticket")
    assert ticket.rule == 1
    assert ticket.due_at == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # already on the hour


def test_quiet_hours_and_people_travel_with_the_entry() -> None:
    night = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
    quiet = rule(quiet_hours=QuietHours.parse("20:00-07:00"), people=(Person.PO_CREATOR,))
    (entry,) = route(rejected(), FACTS, [quiet], now=night)
    assert entry.due_at == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    assert entry.people == (Person.PO_CREATOR,)


def test_the_first_cycle_holds_back_history_but_not_errors() -> None:
    allowed = EventKind.routable() - HISTORY_KINDS
    shipped = notice_for(Shipped("PO-1", "PO-1:tracking:1Z", "UPS", "1Z", None, None))
    entries = route(
        [*rejected(), shipped], FACTS, [rule(events=EventKind.routable())], now=NOW, allowed=allowed
    )
    assert [e.notice.kind for e in entries] == [EventKind.ERROR]


@given(
    events=st.sets(st.sampled_from(sorted(EventKind.routable()))),
    channels=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3),
    rules_count=st.integers(1, 4),
)
def test_never_two_entries_for_one_key_and_channel(
    events: set[EventKind], channels: list[str], rules_count: int
) -> None:
    rules = [rule(events=frozenset(events), channels=tuple(channels))] * rules_count
    entries = route(rejected(), FACTS, rules, now=NOW)
    slots = [(e.event_key, e.channel) for e in entries]
    assert len(slots) == len(set(slots))
    assert {e.channel for e in entries} <= set(channels)
    if events & {EventKind.STATUS_CHANGED, EventKind.ERROR}:
        assert {e.channel for e in entries} == set(channels)


def test_messages_say_what_happened() -> None:
    shipped = notice_for(Shipped("PO-1", "k1", "UPS", "1Z999", "https://ups.example/1Z999", NOW))
    assert shipped.title == "PO PO-1 shipped (UPS 1Z999)"
    assert "Track it: https://ups.example/1Z999" in shipped.lines
    delivered = notice_for(Delivered("PO-1", "k2", date(2026, 12, 1)))
    assert delivered.kind is EventKind.DELIVERED
    assert "delivered on" in delivered.title
    invoiced = notice_for(Invoiced("PO-1", "k3", "INV-9", date(2026, 12, 1), Decimal("12.50")))
    assert "INV-9" in invoiced.title
    first = notice_for(StatusChanged("PO-1", "k4", None, OrderStatus.PROCESSING))
    assert first.title == "PO PO-1: Submitted -> Processing"


def test_notices_and_facts_round_trip_through_json() -> None:
    for notice in rejected():
        assert Notice.from_json(notice.to_json()) == notice
    facts = OrderFacts("PO-1", 7, 503, 29, "Shipped", 4, (11, 12), (3,))
    assert OrderFacts.from_json(facts.to_json()) == facts
