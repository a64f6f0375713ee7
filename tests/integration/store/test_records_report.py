"""The delivery report reads state and history from both backends; the HTML escapes values."""

from __future__ import annotations

from datetime import timedelta

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.application.delivery_html import render_html
from orderbridge.application.delivery_report import build_delivery_report
from orderbridge.domain.delivery import Dimension
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import OrderStatus

from .records_seed import T0, order_state, save


def test_every_order_gets_its_own_history_in_po_order(store: SqlStore) -> None:
    names = ["PO-b", "PO-a", "PO-É", "PO-10", "PO-9", "po-lower"]
    for index, po in enumerate(names):
        save(store, po, OrderStatus.DELIVERED, at=T0 + timedelta(hours=index))
    inputs = list(RecordsStore(store).delivery_inputs(DEFAULT_TENANT))
    assert sorted(p for p, _s, _h in inputs) == sorted(names)
    for po, state, history in inputs:
        assert state["po_number"] == po
        assert [h.key for h in history] == [f"{po}:status:0:None->Delivered"]
    window = list(
        RecordsStore(store).delivery_inputs(
            DEFAULT_TENANT, T0 + timedelta(hours=1), T0 + timedelta(hours=3)
        )
    )
    assert sorted(p for p, _s, _h in window) == ["PO-a", "PO-É"]


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
