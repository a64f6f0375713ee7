"""The one retry policy and loop both clients use, and the Retry-After header they both read."""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import anyio
import pytest

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters._retry import RequestTally, call_with_retry, parse_retry_after
from orderbridge.adapters.autotask import AuthFailed, RateLimited, Unavailable, ValidationFailed
from orderbridge.adapters.autotask._errors import fault_kind


def _run(
    operation: Callable[[float], Awaitable[str]], policy: RetryPolicy, tally: RequestTally
) -> str:
    async def call() -> str:
        return await call_with_retry(
            operation,
            policy,
            endpoint="PurchaseOrders",
            tally=tally,
            fault_kind=fault_kind,
            retry_on=(Unavailable, RateLimited),
        )

    return anyio.run(call)


def test_backoff_grows_is_capped_and_bounded_by_the_attempts() -> None:
    policy = RetryPolicy(attempts=4, initial_backoff_s=1.0, max_backoff_s=4.0, jitter=0.0)
    assert [policy.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 4.0, 4.0]
    assert [policy.next_delay_s(n, 0.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, None]
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)


def test_jitter_stays_within_the_ceiling() -> None:
    policy = RetryPolicy(initial_backoff_s=2.0, rng=random.Random(1))
    delays = [policy.backoff_s(2) for _ in range(50)]
    assert all(2.0 <= d <= 4.0 for d in delays)
    assert len(set(delays)) > 1


def test_tally_snapshot_groups_faults_by_kind_and_endpoint() -> None:
    tally = RequestTally(("Products",))
    tally.requests["PurchaseOrders"] += 4
    for kind in ("http_429", "http_429", "timeout"):
        tally.fault("PurchaseOrders", kind)
        tally.retry("PurchaseOrders", kind)
    tally.fault("Products", "bad_payload")
    tally.waited(0.0)
    tally.waited(0.25)
    stats = tally.snapshot()
    assert stats.requests == {"Products": 0, "PurchaseOrders": 4}
    assert stats.faults == {"http_429": 2, "timeout": 1, "bad_payload": 1}
    assert stats.faults_by_endpoint == {
        "Products": {"bad_payload": 1},
        "PurchaseOrders": {"http_429": 2, "timeout": 1},
    }
    assert stats.retries == {"Products": 0, "PurchaseOrders": 3}
    assert stats.retries_by_kind == {"http_429": 2, "timeout": 1}
    assert (stats.budget_waits, stats.budget_wait_s) == (1, 0.25)
    assert json.loads(json.dumps(stats.to_json()))["total_requests"] == 4
    tally.requests["Products"] += 1
    assert stats.total_requests == 4  # a snapshot does not move


def test_retry_after_is_waited_out_in_full_inside_the_total_time() -> None:
    policy = RetryPolicy(total_timeout_s=10.0, max_backoff_s=2.0)
    assert policy.next_delay_s(1, 0.0, retry_after=4.0) == 4.0
    assert policy.next_delay_s(1, 7.0, retry_after=4.0) is None
    assert policy.next_delay_s(1, 0.0, retry_after=30.0) is None


def test_the_loop_counts_faults_and_stops_on_errors_that_are_not_transient() -> None:
    errors = [AuthFailed("no"), ValidationFailed("no"), RateLimited("slow", retry_after=30.0)]
    tally = RequestTally()

    async def operation(budget: float) -> str:
        raise errors.pop(0)

    for expected in (AuthFailed, ValidationFailed, RateLimited):  # the 429 outlasts the budget
        with pytest.raises(expected):
            _run(operation, RetryPolicy(attempts=5, total_timeout_s=1.0), tally)
    assert tally.snapshot().faults == {"auth": 1, "rejected": 1, "http_429": 1}
    assert tally.snapshot().retries == {}


def test_the_loop_gives_each_attempt_the_remaining_budget_and_counts_retries() -> None:
    budgets: list[float] = []
    tally = RequestTally()

    async def operation(budget: float) -> str:
        budgets.append(budget)
        if len(budgets) < 3:
            raise Unavailable("again", fault="timeout")
        return "done"

    policy = RetryPolicy(attempts=3, initial_backoff_s=0.0, total_timeout_s=10.0)
    assert _run(operation, policy, tally) == "done"
    assert budgets[0] <= 10.0
    assert budgets[-1] <= budgets[0]
    stats = tally.snapshot()
    assert (stats.retries, stats.retries_by_kind) == ({"PurchaseOrders": 2}, {"timeout": 2})


def test_retry_after_forms() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
