"""The delivery report reads state and history from both backends; the HTML escapes values."""

from __future__ import annotations

from datetime import date, timedelta

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.application.delivery_html import render_html
from orderbridge.application.delivery_report import build_delivery_report
from orderbridge.domain.delivery import Dimension, HistoryPoint, summarise
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import OrderStatus

from .records_seed import T0, order_state, save


def test_every_order_gets_its_own_history_in_po_order(store: SqlStore) -> None:
    names = ["PO-b", "PO-a", "PO-É", "PO-10", "PO-9", "po-lower"]
    for index, po in enumerate(names):
        save(store, po, OrderStatus.DELIVERED, at=T0 + timedelta(hours=index))
    inputs = list(RecordsStore(store).delivery_inputs(DEFAULT_TENANT))
    assert sorted(p for p, _s, _h in inputs) == sorted(names)
    for po, state, summary in inputs:
        assert state["po_number"] == po
        at = T0 + timedelta(hours=names.index(po))
        assert (summary.first_at, summary.accepted, summary.partial) == (at, at, False)
    window = list(
        RecordsStore(store).delivery_inputs(
            DEFAULT_TENANT, T0 + timedelta(hours=1), T0 + timedelta(hours=3)
        )
    )
    assert sorted(p for p, _s, _h in window) == ["PO-a", "PO-É"]


def test_the_history_summary_matches_the_domain_walk(store: SqlStore) -> None:
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
    stored = store.load_state(DEFAULT_TENANT, "PO-1")
    assert stored is not None
    store.save_order(
        DEFAULT_TENANT,
        "PO-1",
        po_id=1,
        status="Backordered",
        state=stored.state,
        fingerprint="f2",
        history=entries,
        checked_at=T0,
    )
    points = [HistoryPoint(e.at, e.to_status, e.key) for e in store.history(DEFAULT_TENANT, "PO-1")]
    ((_po, _state, summary),) = RecordsStore(store).delivery_inputs(DEFAULT_TENANT)
    assert summary == summarise(points)
    assert summary.partial
    assert summary.etas == {"1": [date(2026, 3, 5), date(2026, 3, 9)], "2": [date(2026, 3, 7)]}
    assert summary.first_tracking == T0 + timedelta(days=3)
    assert summary.first_backorder == T0 + timedelta(days=1)


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
