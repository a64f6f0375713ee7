"""Delivery-performance maths: order facts from state and history, and their aggregates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from orderbridge.domain.delivery import (
    NOT_REPORTED,
    Dimension,
    HistoryPoint,
    order_facts,
)
from orderbridge.domain.delivery_totals import DeliveryReport
from orderbridge.domain.models import Invoice
from orderbridge.domain.state_json import dump_invoice, load_invoice

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _state(**extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "po_number": "PO-1",
        "status": "Closed",
        "first_seen": T0.isoformat(),
        "shipped_at": (T0 + timedelta(days=6)).isoformat(),
        "delivered_on": "2026-04-09",
        "expected_delivery": "2026-04-08",
        "lines": [
            {
                "key": "1",
                "mfg_part_number": "WVSF346",
                "eta": "2026-04-05",
                "shipments": [{"carrier": "UPS", "warehouse": "Fremont"}],
            },
            {
                "key": "2",
                "sku": "SKU-9",
                "shipments": [{"carrier": "FedEx", "warehouse": "Fremont"}],
            },
        ],
        "invoices": [
            {
                "number": "I1",
                "invoice_date": "2026-04-10",
                "total": "100.50",
                "freight": "9.50",
                "manufacturers": ["HANWHA", "AXIS"],
            },
            {"number": "I2", "invoice_date": "2026-04-12", "total": "20", "freight": None},
        ],
        "ship_to": {"name": "Acme Dental"},
    }
    state.update(extra)
    return state


def _history() -> list[HistoryPoint]:
    return [
        HistoryPoint(T0, "Submitted", "PO-1:status:0:None->Submitted"),
        HistoryPoint(T0 + timedelta(days=1), "Processing", "PO-1:status:1:Submitted->Processing"),
        HistoryPoint(T0 + timedelta(days=2), "Backordered", "PO-1:eta:1:2026-04-05"),
        HistoryPoint(T0 + timedelta(days=3), "Backordered", "PO-1:eta:1:2026-04-07"),
        HistoryPoint(T0 + timedelta(days=4), "Partially shipped", "PO-1:status:2:X->Partially"),
        HistoryPoint(T0 + timedelta(days=5), "Backordered", "PO-1:eta:1:2026-04-08"),
    ]


def test_facts_come_from_state_and_history() -> None:
    facts = order_facts("PO-1", _state(), _history())
    assert facts.accepted == T0 + timedelta(days=1)
    assert facts.lead_days("submitted", "accepted") == 1.0
    assert facts.lead_days("accepted", "shipped") == 5.0
    assert facts.first_eta == date(2026, 4, 5)
    assert (facts.eta_slips, facts.eta_slip_days) == (2, 3)
    assert facts.on_time_eta is False  # delivered the 9th, first ETA the 5th
    assert facts.on_time_expected is False  # expected the 8th
    assert facts.backorder_days == 4  # first ETA entry on day 2, shipped on day 6
    assert facts.partial is True
    assert (facts.invoice_total, facts.freight) == (Decimal("120.50"), Decimal("9.50"))
    assert facts.invoiced == datetime(2026, 4, 10, tzinfo=UTC)
    assert facts.groups[Dimension.PART] == ("WVSF346", "SKU-9")
    assert facts.groups[Dimension.CARRIER] == ("UPS", "FedEx")
    assert facts.groups[Dimension.WAREHOUSE] == ("Fremont",)
    assert facts.groups[Dimension.CUSTOMER] == ("Acme Dental",)
    assert facts.groups[Dimension.MONTH] == ("2026-04",)
    assert facts.groups[Dimension.MANUFACTURER] == ("HANWHA", "AXIS")
    no_invoice = order_facts("PO-9", _state(invoices=[]), [])
    assert no_invoice.groups[Dimension.MANUFACTURER] == (NOT_REPORTED,)


def test_an_order_without_backorder_is_on_time_against_its_line_eta() -> None:
    facts = order_facts("PO-2", _state(delivered_on="2026-04-05"), _history()[:2])
    assert facts.first_eta == date(2026, 4, 5)
    assert facts.on_time_eta is True
    assert facts.on_time_expected is True
    assert (facts.eta_slips, facts.backorder_days, facts.partial) == (0, None, False)


def test_on_time_is_judged_against_the_first_expected_delivery() -> None:
    kept = _state(expected_delivery=None, first_expected_delivery="2026-04-09")
    assert order_facts("PO-1", kept, _history()).on_time_expected is True
    slipped = _state(expected_delivery="2026-04-10", first_expected_delivery="2026-04-08")
    assert order_facts("PO-1", slipped, _history()).on_time_expected is False


def test_an_undelivered_order_has_no_on_time_verdict_and_no_delivery_lead_time() -> None:
    facts = order_facts("PO-3", _state(delivered_on=None, shipped_at=None), [])
    assert facts.on_time_eta is None
    assert facts.lead_days("submitted", "delivered") is None


def test_report_groups_rates_and_totals() -> None:
    report = DeliveryReport(Dimension.CARRIER)
    report.add(order_facts("PO-1", _state(), _history()))
    report.add(order_facts("PO-2", _state(delivered_on="2026-04-05"), _history()[:2]))
    report.add(
        order_facts(
            "PO-3",
            _state(first_seen="2026-05-02T00:00:00+00:00", lines=[], invoices=[]),
            [],
        )
    )
    rows = {r.group: r for r in report.rows()}
    assert set(rows) == {"FedEx", "UPS", NOT_REPORTED}
    assert rows["UPS"].orders == 2
    assert rows["UPS"].on_time_eta_rate == 0.5
    assert rows["UPS"].partial_rate == 0.5
    assert rows["UPS"].eta_slips == 2
    total = report.total()
    assert total.orders == 3
    assert total.invoice_total == Decimal("241.00")
    assert [m.group for m in report.monthly()] == ["2026-04", "2026-05"]
    assert [w.group for w in report.rows(Dimension.WAREHOUSE)] == [NOT_REPORTED, "Fremont"]
    # PO-3 was "delivered" before it was first seen: no lead time rather than a negative one.
    assert sorted(report.lead_times()) == [3.62, 7.62]


def test_invoice_manufacturers_round_trip_and_leave_older_states_unchanged() -> None:
    plain = Invoice(number="I1", total=Decimal("5"))
    assert "manufacturers" not in dump_invoice(plain)  # same JSON, same fingerprint as before
    named = Invoice(number="I1", total=Decimal("5"), manufacturers=("HANWHA",))
    assert load_invoice(dump_invoice(named)) == named
    assert load_invoice(dump_invoice(plain)) == plain


def test_any_stored_json_gives_facts_and_unreadable_values_count_as_unknown() -> None:
    # The store keeps an order's facts on every save, so no state may stop a save.
    odd = {
        "first_seen": "not a time",
        "delivered_on": "2026-04-05T10:00:00+00:00",
        "lines": ["x", {"eta": "someday", "shipments": "none"}],
        "invoices": {"total": "1"},
        "ship_to": "Acme",
    }
    facts = order_facts("PO-odd", odd, [])
    assert facts.delivered == datetime(2026, 4, 5, tzinfo=UTC)
    assert (facts.first_eta, facts.invoiced, facts.invoice_total) == (None, None, Decimal(0))
    assert facts.groups[Dimension.CUSTOMER] == facts.groups[Dimension.CARRIER] == (NOT_REPORTED,)
