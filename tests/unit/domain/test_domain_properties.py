"""Property tests: derivation, planning, memo rendering and fact order."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from random import Random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import OrderState, OrderStatus
from orderbridge.domain.memo import (
    BLOCK_END,
    BLOCK_START,
    find_block,
    outside_text,
    render_line_lines,
    render_memo,
    render_order_lines,
    splice_block,
)
from orderbridge.domain.models import (
    DistributorLine,
    DistributorOrder,
    Invoice,
    Package,
    PurchaseOrder,
    PurchaseOrderItem,
)
from orderbridge.domain.plan import apply_plan, plan_updates
from tests.unit.domain.domain_builders import (
    NOW,
    derive,
    distributor_orders,
    invoice,
    invoices,
    line,
    order,
    po_items,
    shipped_line,
)

observed = st.datetimes(
    min_value=datetime(2023, 6, 1), max_value=datetime(2025, 6, 1), timezones=st.just(UTC)
)
fragments = st.sampled_from(
    [
        BLOCK_START,
        BLOCK_END,
        BLOCK_START + " ",
        " " + BLOCK_END,
        BLOCK_START[:-1],
        BLOCK_END.upper(),
        "=== TD SYNNEX status",
        "=== end",
        "\n",
        "\r\n",
        "\r",
        "",
    ]
)
user_text = st.lists(st.one_of(st.text(max_size=40), fragments), max_size=10).map("".join)
history_entries = st.lists(
    st.builds(
        HistoryEntry,
        po_number=st.just("PO-1001"),
        at=observed,
        from_status=st.none(),
        to_status=st.just("Shipped"),
        source=st.just(HistorySource.TDSYNNEX),
        summary=st.text(max_size=300),
        key=st.text(min_size=1, max_size=6),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(distributor_orders, invoices, po_items, st.one_of(st.none(), distributor_orders), observed)
def test_derivation_is_total_and_deterministic(
    dist: DistributorOrder,
    invs: tuple[Invoice, ...],
    items: tuple[PurchaseOrderItem, ...],
    earlier: DistributorOrder | None,
    at: datetime,
) -> None:
    previous = None
    if earlier is not None:
        previous = derive(earlier, invs[:1], items=items, at=at - timedelta(days=3))
    one = derive(dist, invs, items=items, previous=previous, at=at)
    two = derive(dist, invs, items=items, previous=previous, at=at)
    assert one == two
    assert one.fingerprint() == two.fingerprint()
    assert isinstance(one.status, OrderStatus)
    assert OrderState.from_json(json.loads(json.dumps(one.to_json()))) == one
    item_ids = [x.item_id for x in one.lines if x.item_id is not None]
    assert len(item_ids) == len(set(item_ids))
    for x in one.lines:
        assert x.quantity_backordered >= 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    distributor_orders,
    invoices,
    po_items,
    user_text,
    st.lists(user_text, max_size=5),
    history_entries,
    st.booleans(),
)
def test_planning_is_idempotent(
    dist: DistributorOrder,
    invs: tuple[Invoice, ...],
    raw_items: tuple[PurchaseOrderItem, ...],
    memo: str,
    item_memos: list[str],
    history: list[HistoryEntry],
    with_previous: bool,
) -> None:
    items = tuple(
        replace(it, memo=item_memos[i % len(item_memos)] if item_memos else "")
        for i, it in enumerate(raw_items)
    )
    po = PurchaseOrder(
        id=1, po_number="PO-1001", status="Submitted", vendor_id=7, general_memo=memo, items=items
    )
    previous = (
        derive(order(line(warehouse="3")), at=NOW - timedelta(days=1)) if with_previous else None
    )
    state = derive(dist, invs, items=items, previous=previous)
    plan = plan_updates(po, state, history, previous, now=NOW)
    applied = apply_plan(po, plan)
    recorded = [*history, *plan.history]
    again = plan_updates(applied, state, recorded, previous, now=NOW + timedelta(minutes=5))
    assert again.is_empty, (again.po_changes, again.item_changes, again.history)
    committed = plan_updates(applied, state, recorded, state, now=NOW + timedelta(hours=1))
    assert committed.is_empty
    assert len(applied.general_memo) <= max(4000, len(memo))
    if find_block(memo) is None:
        assert applied.general_memo.startswith(memo)


@given(user_text, user_text, st.text(max_size=200), st.text(max_size=200))
def test_user_text_outside_the_block_is_kept_byte_for_byte(
    before: str, after: str, a: str, b: str
) -> None:
    assume(find_block(before) is None)
    block_a = f"{BLOCK_START}\n{a}\n{BLOCK_END}".replace("\r", "")
    block_b = f"{BLOCK_START}\nStatus: {b}\n{BLOCK_END}"
    memo = splice_block(before, block_a) + "\n" + after
    result = splice_block(memo, block_b)
    assert result == splice_block(before, block_b) + "\n" + after
    assert outside_text(result) == outside_text(memo)
    assert result.startswith(before)


def _many_packages(n: int) -> tuple[Package, ...]:
    return tuple(
        Package(f"1Z999AA1{i:010d}", quantity=1, serials=tuple(f"SN{i}-{k:04d}" for k in range(8)))
        for i in range(n)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 3800).flatmap(lambda n: st.text(min_size=n, max_size=n)),
    st.integers(0, 30),
    st.integers(0, 60),
    history_entries,
    st.integers(0, 100),
)
def test_memo_never_exceeds_4000_characters(
    user: str, n_packages: int, n_invoices: int, history: list[HistoryEntry], shown: int
) -> None:
    assume(find_block(user) is None)
    lines = [
        shipped_line(
            str(i), qty=n_packages, packages=_many_packages(n_packages), order_number=f"6004{i:04d}"
        )
        for i in range(1, 4)
    ]
    invs = tuple(
        invoice(f"INV-{i:06d}", date(2024, 1, 1) + timedelta(days=i)) for i in range(n_invoices)
    )
    state = derive(order(*lines), invs)
    memo, warning = render_memo(user, render_order_lines(state, history, shown))
    assert len(memo) <= 4000
    assert memo.startswith(user)
    assert (warning is None) == (find_block(memo) is not None)
    item_memo, _ = render_memo(user, render_line_lines(state.lines[0]))
    assert len(item_memo) <= 4000


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(distributor_orders, invoices, history_entries, st.randoms(use_true_random=False))
def test_rendering_is_stable(
    dist: DistributorOrder, invs: tuple[Invoice, ...], history: list[HistoryEntry], rnd: Random
) -> None:
    state = derive(dist, invs)
    text = render_memo("", render_order_lines(state, history, 10))
    shuffled = list(history)
    rnd.shuffle(shuffled)
    restored = OrderState.from_json(json.loads(json.dumps(state.to_json())))
    unique_keys = len({h.key for h in history}) == len(history)
    if unique_keys:
        assert render_memo("", render_order_lines(restored, shuffled, 10)) == text
    assert render_memo("", render_order_lines(state, history, 10)) == text
    for x in state.lines:
        assert render_line_lines(x) == render_line_lines(x)


_EXPECTED = {
    frozenset(): OrderStatus.PROCESSING,
    frozenset({"invoice"}): OrderStatus.PROCESSING,
    frozenset({"ship"}): OrderStatus.SHIPPED,
    frozenset({"ship", "invoice"}): OrderStatus.INVOICED,
    frozenset({"deliver"}): OrderStatus.DELIVERED,
    frozenset({"ship", "deliver"}): OrderStatus.DELIVERED,
    frozenset({"deliver", "invoice"}): OrderStatus.CLOSED,
    frozenset({"ship", "deliver", "invoice"}): OrderStatus.CLOSED,
}


def _snapshot(
    revealed: set[str], fact: str, by_carrier: bool
) -> tuple[DistributorLine, dict[str, date]]:
    if not revealed & {"ship", "deliver"}:
        return line(warehouse="3"), {}
    on_package = fact == "deliver" and not by_carrier
    carrier = {"508922220890": date(2024, 5, 6)} if fact == "deliver" and by_carrier else {}
    return shipped_line(delivered=date(2024, 5, 6) if on_package else None), carrier


@given(
    st.sets(st.sampled_from(["ship", "deliver", "invoice"])).flatmap(
        lambda s: st.permutations(sorted(s))
    ),
    st.booleans(),
)
def test_fact_order_does_not_change_the_final_status(facts: list[str], by_carrier: bool) -> None:
    state = derive(order(line(warehouse="3")), at=NOW - timedelta(days=1))
    revealed: set[str] = set()
    for step, fact in enumerate(facts):
        revealed.add(fact)
        dist_line, deliveries = _snapshot(revealed, fact, by_carrier)
        # Invoices and carrier confirmations arrive once; later snapshots omit them.
        invs: tuple[Invoice, ...] = (invoice(),) if fact == "invoice" else ()
        state = derive(
            order(dist_line),
            invs,
            previous=state,
            at=NOW + timedelta(hours=step),
            deliveries=deliveries,
        )
    assert state.status is _EXPECTED[frozenset(facts)]
    assert (state.invoiced_at is not None) == ("invoice" in facts)
    assert (state.delivered_on is not None) == ("deliver" in facts)
