"""Per-order check schedules: each order's next check from what can happen next."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.check_schedule import (
    FINISHED,
    CheckPolicy,
    CheckReason,
    autotask_digest,
    next_check,
)
from orderbridge.domain.lifecycle import LineState, OrderState, OrderStatus
from orderbridge.domain.models import PurchaseOrder, PurchaseOrderItem

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = CheckPolicy()


def state(
    status: OrderStatus,
    *,
    age: timedelta = timedelta(days=5),
    ship: date | None = None,
    eta: date | None = None,
    line_status: OrderStatus | None = None,
) -> OrderState:
    lines = (
        ()
        if line_status is None
        else (LineState(key="1", status=line_status, quantity_ordered=2, eta=eta),)
    )
    return OrderState(
        po_number="PO-1",
        status=status,
        first_seen=T0 - age,
        expected_ship_date=ship,
        lines=lines,
    )


def test_never_checked_is_due_at_once() -> None:
    check = next_check(None, None)
    assert check.reason is CheckReason.NEVER_CHECKED
    assert check.due(T0, POLICY)


def test_just_submitted_is_checked_soon() -> None:
    check = next_check(state(OrderStatus.SUBMITTED, age=timedelta(hours=2)), T0)
    assert check.at == T0 + POLICY.submitted
    assert check.reason is CheckReason.UNACCEPTED


def test_accepted_far_eta_is_checked_rarely_until_shortly_before_it() -> None:
    far = (T0 + timedelta(days=20)).date()
    check = next_check(state(OrderStatus.PROCESSING, ship=far), T0)
    assert check.at == T0 + POLICY.far
    assert check.reason is CheckReason.FAR_DATE
    # The day before the watch starts, the wait stops at the watch's start, not a full day later.
    watch = datetime(far.year, far.month, far.day, tzinfo=UTC) - POLICY.lead
    eve = watch - timedelta(hours=5)
    assert next_check(state(OrderStatus.PROCESSING, ship=far), eve).at == watch
    near = next_check(state(OrderStatus.PROCESSING, ship=far), watch + timedelta(hours=1))
    assert near.reason is CheckReason.NEAR_DATE
    assert near.at == watch + timedelta(hours=1) + POLICY.near


def test_young_accepted_order_is_still_checked_soon() -> None:
    far = (T0 + timedelta(days=20)).date()
    young = state(OrderStatus.PROCESSING, ship=far, age=timedelta(hours=3))
    check = next_check(young, T0)
    assert check.reason is CheckReason.YOUNG
    assert check.at == T0 + POLICY.submitted


def test_held_and_backordered_are_steady_but_slower() -> None:
    for status in (OrderStatus.ON_HOLD, OrderStatus.BACKORDERED):
        check = next_check(state(status), T0)
        assert (check.at, check.reason) == (T0 + POLICY.held, CheckReason.HELD)
    soon = (T0 + timedelta(days=1)).date()
    backordered = state(OrderStatus.BACKORDERED, eta=soon, line_status=OrderStatus.BACKORDERED)
    assert next_check(backordered, T0).reason is CheckReason.NEAR_DATE


def test_shipped_is_slower_and_ignores_the_passed_ship_date() -> None:
    past = (T0 - timedelta(days=3)).date()
    check = next_check(state(OrderStatus.SHIPPED, ship=past), T0)
    assert (check.at, check.reason) == (T0 + POLICY.shipped, CheckReason.SHIPPED)
    partly = state(
        OrderStatus.PARTIALLY_SHIPPED,
        ship=past,
        eta=(T0 + timedelta(hours=20)).date(),
        line_status=OrderStatus.BACKORDERED,
    )
    assert next_check(partly, T0).reason is CheckReason.NEAR_DATE


def test_delivered_waits_rarely_for_its_invoice_and_finished_never() -> None:
    assert next_check(state(OrderStatus.DELIVERED), T0).reason is CheckReason.SETTLING
    for status in FINISHED:
        check = next_check(state(status), T0)
        assert check.at is None
        assert not check.due(T0 + timedelta(days=3650), POLICY)


def test_an_order_whose_invoices_were_not_read_is_asked_again_soon_even_when_finished() -> None:
    closed = state(OrderStatus.CLOSED).owing_invoices("timed out")
    assert closed.invoices_owed
    assert OrderState.from_json(closed.to_json()).invoices_owed  # kept in the store
    check = next_check(closed, T0)
    assert (check.at, check.reason) == (T0 + POLICY.submitted, CheckReason.INVOICES_OWED)
    assert not state(OrderStatus.CLOSED).invoices_owed
    assert next_check(state(OrderStatus.CLOSED), T0).at is None


def test_a_check_a_few_minutes_early_counts_as_due() -> None:
    check = next_check(state(OrderStatus.SUBMITTED), T0)
    assert check.due(T0 + POLICY.submitted - timedelta(minutes=5), POLICY)
    assert not check.due(T0 + timedelta(minutes=30), POLICY)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="more than zero"):
        CheckPolicy(held=timedelta(0))
    with pytest.raises(ValueError, match="near-date"):
        CheckPolicy(near=timedelta(days=2), far=timedelta(hours=1))


statuses = st.sampled_from(list(OrderStatus))
dates = st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 8, 1))
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 8, 1), timezones=st.just(UTC)
)
hours = st.integers(min_value=1, max_value=96).map(lambda h: timedelta(hours=h))
policies = st.builds(
    lambda a, b, c, d, e, f: CheckPolicy(
        submitted=a, near=min(b, c), far=max(b, c), accepted=d, held=e, shipped=f
    ),
    hours,
    hours,
    hours,
    hours,
    hours,
    hours,
)


@st.composite
def order_states(draw: st.DrawFn) -> OrderState:
    return state(
        draw(statuses),
        age=timedelta(hours=draw(st.integers(min_value=0, max_value=2000))),
        ship=draw(dates),
        eta=draw(dates),
        line_status=draw(st.none() | statuses),
    )


@given(order_states(), moments, policies)
def test_an_unfinished_order_is_never_checked_less_often_than_the_longest_rule(
    order: OrderState, checked: datetime, policy: CheckPolicy
) -> None:
    check = next_check(order, checked, policy=policy)
    if order.status in FINISHED:
        return
    assert check.at is not None
    assert checked + policy.shortest <= check.at <= checked + policy.longest
    # A due order never waits past the next cycle: once its time has come, it is due.
    assert check.due(check.at, policy)
    assert check.due(check.at + timedelta(hours=1), policy)


@given(order_states(), moments, policies, st.integers(min_value=0, max_value=10_000))
def test_an_order_is_never_checked_after_it_finished(
    order: OrderState, checked: datetime, policy: CheckPolicy, later_hours: int
) -> None:
    check = next_check(order, checked, policy=policy)
    due_later = check.due(checked + timedelta(hours=later_hours), policy)
    if order.status in FINISHED:
        assert check.at is None
        assert not due_later


@given(order_states(), moments, policies)
def test_rechecking_on_schedule_never_skips_an_order_forever(
    order: OrderState, start: datetime, policy: CheckPolicy
) -> None:
    # Hourly cycles for a month: an unfinished order is checked at least every longest+cycle.
    cycle = timedelta(hours=1)
    checked = start
    checks = []
    now = start
    while now < start + timedelta(days=30):
        now += cycle
        if next_check(order, checked, policy=policy).due(now, policy):
            checked = now
            checks.append(now)
    if order.status in FINISHED:
        assert checks == []
        return
    gaps = [b - a for a, b in zip([start, *checks], checks, strict=False)]
    assert gaps
    assert max(gaps) <= policy.longest + cycle


def test_the_autotask_digest_follows_status_and_items_not_what_orderbridge_writes() -> None:
    item = PurchaseOrderItem(id=7, order_id=1, quantity=2, part_numbers=frozenset({"WVSF346"}))
    po = PurchaseOrder(id=1, po_number="PO-1", status="Submitted", vendor_id=3, items=(item,))
    same = replace(po, general_memo="[TD SYNNEX] Shipped", items=(replace(item, memo="x"),))
    assert autotask_digest(same) == autotask_digest(po)
    assert autotask_digest(replace(po, status="Received Partial")) != autotask_digest(po)
    assert autotask_digest(replace(po, items=(replace(item, quantity=3),))) != autotask_digest(po)
    assert autotask_digest(replace(po, items=())) != autotask_digest(po)
