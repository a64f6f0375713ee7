"""The delivery report reads the facts kept per order, on both backends; the HTML escapes values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.application.delivery_html import render_html
from orderbridge.application.delivery_report import build_delivery_report
from orderbridge.domain.delivery import Dimension, HistoryPoint, OrderFigures, order_facts
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import OrderStatus

from .records_seed import T0, add_history, order_state, save


def _figures(store: SqlStore, po: str) -> OrderFigures:
    """What the domain works out for one stored order from its state and whole history."""
    stored = store.load_state(DEFAULT_TENANT, po)
    assert stored is not None
    points = [HistoryPoint(e.at, e.to_status, e.key) for e in store.history(DEFAULT_TENANT, po)]
    return order_facts(po, stored.state, points).figures


def _sorted(figures: Iterable[OrderFigures]) -> list[str]:
    return sorted(repr(f) for f in figures)


def test_every_order_gets_its_own_history_in_po_order(store: SqlStore) -> None:
    names = ["PO-b", "PO-a", "PO-É", "PO-10", "PO-9", "po-lower"]
    for index, po in enumerate(names):
        # Each order's acceptance is its own hour: a mix-up would show in its lead times.
        save(store, po, OrderStatus.DELIVERED, at=T0 + timedelta(hours=index))
    found = list(RecordsStore(store).delivery_figures(DEFAULT_TENANT))
    assert _sorted(found) == _sorted(_figures(store, po) for po in names)
    assert len({f.leads for f in found}) == len(names)
    window = RecordsStore(store).delivery_figures(
        DEFAULT_TENANT, T0 + timedelta(hours=1), T0 + timedelta(hours=3)
    )
    assert _sorted(window) == _sorted(_figures(store, po) for po in ["PO-a", "PO-É"])


def test_the_kept_facts_match_the_domain_walk(store: SqlStore) -> None:
    save(store, "PO-1", OrderStatus.PROCESSING, at=T0)
    steps = [
        ("Backordered", "PO-1:eta:1:2026-03-05"),
        ("Partially shipped", "PO-1:status:1:Backordered->Partially shipped"),
        ("Partially shipped", "PO-1:tracking:1Z9"),
        ("Backordered", "PO-1:eta:1:2026-03-09"),
        ("Backordered", "PO-1:eta:2:2026-03-07"),
    ]
    entries = [
        HistoryEntry("PO-1", T0 + timedelta(days=i + 1), None, to, HistorySource.TDSYNNEX, "s", k)
        for i, (to, k) in enumerate(steps)
    ]
    add_history(store, "PO-1", entries, T0)
    (figures,) = RecordsStore(store).delivery_figures(DEFAULT_TENANT)
    assert figures == _figures(store, "PO-1")
    assert figures.partial
    # Line 1 moved from 5 to 9 March (one slip, four days); line 2 has one ETA.
    assert (figures.eta_slips, figures.eta_slip_days) == (1, 4)
    # First backorder on day 1, shipped (the state's shipped_at) on day 2.
    assert figures.backorder_days == 1


def test_hostile_names_are_escaped_in_the_html(store: SqlStore) -> None:
    state = order_state("PO-X", OrderStatus.DELIVERED)
    data = state.to_json()
    data["lines"][0]["shipments"][0]["warehouse"] = "<script>alert(1)</script>"
    data["ship_to"] = {"name": "Evil & <b>Co</b>"}
    entry = HistoryEntry("PO-X", T0, None, "Delivered", HistorySource.TDSYNNEX, "x", "k")
    store.save_order(
        DEFAULT_TENANT,
        "PO-X",
        po_id=1,
        status="Delivered",
        state=data,
        fingerprint="f",
        history=[entry],
        checked_at=T0,
    )
    report = build_delivery_report(RecordsStore(store), Dimension.CUSTOMER)
    page = render_html(report, "Report <for> you", "window")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Evil &amp; &lt;b&gt;Co&lt;/b&gt;" in page
    assert "Report &lt;for&gt; you" in page
