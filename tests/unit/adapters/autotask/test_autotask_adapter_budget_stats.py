"""Fault accounting of the Autotask client: what each error is called in the stats."""

from __future__ import annotations

import json

import pytest

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
