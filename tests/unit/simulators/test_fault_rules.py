"""Fault rules: matching, probability, count limits and validation of admin input."""

from __future__ import annotations

import pytest

from orderbridge.simulators._common import FaultInjector, FaultKind, FaultRule


def test_rule_matches_endpoint_pattern_and_method() -> None:
    rule = FaultRule(kind=FaultKind.HTTP_500, endpoint="Purchase*", method="POST")
    assert rule.matches("PurchaseOrders", "post")
    assert rule.matches("purchaseorderitems", "POST")
    assert not rule.matches("Companies", "POST")
    assert not rule.matches("PurchaseOrders", "GET")


def test_count_limited_rule_fires_exactly_n_times_then_disappears() -> None:
    faults = FaultInjector()
    faults.add(FaultRule(kind=FaultKind.HTTP_429, remaining=2))
    decisions = [faults.decide("POStatus", "POST").rule for _ in range(4)]
    assert [d is not None for d in decisions] == [True, True, False, False]
    assert faults.rules() == []


def test_probability_is_reproducible_with_a_seed() -> None:
    def run() -> list[bool]:
        faults = FaultInjector(seed=42)
        faults.add(FaultRule(kind=FaultKind.HTTP_503, probability=0.3))
        return [faults.decide("x", "GET").rule is not None for _ in range(200)]

    first, second = run(), run()
    assert first == second
    assert 30 <= sum(first) <= 90  # about 30 %


def test_latency_accumulates_and_does_not_block_an_answering_fault() -> None:
    faults = FaultInjector()
    faults.add(FaultRule(kind=FaultKind.LATENCY, latency_ms=100))
    faults.add(FaultRule(kind=FaultKind.LATENCY, latency_ms=50))
    faults.add(FaultRule(kind=FaultKind.MALFORMED))
    decision = faults.decide("POStatus", "POST")
    assert decision.delay_s == pytest.approx(0.15)
    assert decision.rule is not None
    assert decision.rule.kind is FaultKind.MALFORMED


def test_only_the_first_answering_fault_fires() -> None:
    faults = FaultInjector()
    first = faults.add(FaultRule(kind=FaultKind.HTTP_500, remaining=1))
    second = faults.add(FaultRule(kind=FaultKind.HTTP_503, remaining=1))
    assert faults.decide("e", "GET").rule is first
    assert faults.decide("e", "GET").rule is second


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"kind": "explode"}, "must be one of"),
        ({"kind": "http_500", "probability": 2}, "between 0 and 1"),
        ({"kind": "http_500", "count": 0}, "at least 1"),
        ({"kind": "http_500", "colour": "red"}, "unknown fault rule keys"),
    ],
)
def test_bad_admin_rules_are_rejected_with_a_reason(
    payload: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        FaultRule.from_json(payload)
