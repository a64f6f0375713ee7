"""Retry and fault accounting of the Autotask client: fault kinds and the stats snapshot."""

from __future__ import annotations

import json

import pytest

from orderbridge.adapters._retry import RequestTally
from orderbridge.adapters.autotask import (
    AuthFailed,
    AutotaskError,
    BadPayload,
    RateLimited,
    ThreadLimited,
    Unavailable,
    ValidationFailed,
)
from orderbridge.adapters.autotask._errors import classify_response, fault_kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ThreadLimited("x"), "thread_limit"),
        (RateLimited("x"), "http_429"),
        (Unavailable("x", status=503), "http_5xx"),
        (Unavailable("x", fault="timeout"), "timeout"),
        (Unavailable("x", fault="dropped"), "dropped"),
        (BadPayload("x"), "bad_payload"),
        (AuthFailed("x", status=401), "auth"),
        (ValidationFailed("x", status=500), "rejected"),
    ],
)
def test_fault_kinds(error: AutotaskError, kind: str) -> None:
    assert fault_kind(error) == kind


def test_thread_and_hourly_429s_are_told_apart_by_their_words() -> None:
    thread = classify_response(
        429,
        json.dumps({"errors": ["Thread Threshold Exceeded (Itgenatr005)"]}).encode(),
        endpoint="PurchaseOrders",
    )
    hourly = classify_response(
        429,
        json.dumps({"errors": ["Request threshold exceeded"]}).encode(),
        endpoint="PurchaseOrders",
        retry_after="30",
    )
    assert fault_kind(thread) == "thread_limit"
    assert fault_kind(hourly) == "http_429"
    assert isinstance(hourly, RateLimited)
    assert hourly.retry_after == 30.0


def test_tally_snapshot_groups_faults_by_kind_and_endpoint() -> None:
    tally = RequestTally()
    tally.requests["PurchaseOrders"] += 4
    tally.requests["Products"] += 1
    for error in (RateLimited("x"), RateLimited("x"), Unavailable("x", fault="timeout")):
        kind = fault_kind(error)
        assert kind is not None
        tally.fault("PurchaseOrders", kind)
        tally.retry("PurchaseOrders", kind)
    tally.fault("Products", "bad_payload")
    tally.waited(0.0)
    tally.waited(0.25)
    stats = tally.snapshot()
    assert stats.total_requests == 5
    assert stats.faults == {"http_429": 2, "timeout": 1, "bad_payload": 1}
    assert stats.faults_by_endpoint == {
        "Products": {"bad_payload": 1},
        "PurchaseOrders": {"http_429": 2, "timeout": 1},
    }
    assert stats.retries == {"PurchaseOrders": 3}
    assert stats.retries_by_kind == {"http_429": 2, "timeout": 1}
    assert (stats.budget_waits, stats.budget_wait_s) == (1, 0.25)
    assert json.loads(json.dumps(stats.to_json()))["total_requests"] == 5
    tally.requests["Products"] += 1
    assert stats.total_requests == 5  # a snapshot does not move
