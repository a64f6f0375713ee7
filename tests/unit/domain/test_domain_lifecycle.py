"""OrderState value objects: readable statuses, JSON round-trip, fingerprint."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from orderbridge.domain.lifecycle import LineStatus, OrderState, OrderStatus
from orderbridge.domain.models import Address, Invoice
from tests.unit.domain.domain_builders import derive, invoice, item, line, order, shipped_line


def test_status_values_read_as_words() -> None:
    assert OrderStatus.PARTIALLY_SHIPPED.value == "Partially shipped"
    assert OrderStatus.ON_HOLD.value == "On hold"
    assert OrderStatus.NOT_FOUND.value == "Not found"
    assert [s.value for s in LineStatus] == [s.value for s in OrderStatus]


def test_json_round_trip_is_exact_and_survives_json_text() -> None:
    ship_to = Address(name="ACME", city="Fremont", country="US")
    state = derive(
        order(shipped_line("1", delivered=date(2024, 5, 6)), line("2", eta=date(2024, 6, 1))),
        (replace(invoice(), ship_to=ship_to, tracking_numbers=("1", "2")),),
        items=(item(11, "WVSF346"),),
    )
    data = json.loads(json.dumps(state.to_json()))
    again = OrderState.from_json(data)
    assert again == state
    assert again.fingerprint() == state.fingerprint()
    assert again.ship_to == ship_to


def test_fingerprint_changes_when_anything_changes() -> None:
    state = derive(order(shipped_line()))
    assert state.fingerprint() == derive(order(shipped_line())).fingerprint()
    changed = replace(state, invoices=(Invoice("1"),))
    assert changed.fingerprint() != state.fingerprint()
    assert len(state.fingerprint()) == 64


def test_order_shipments_list_a_shared_carton_once() -> None:
    state = derive(order(shipped_line("1"), shipped_line("2", mfg_part_number="OTHER")))
    assert [s.tracking_number for s in state.shipments] == ["508922220890"]
    assert len(state.lines) == 2
