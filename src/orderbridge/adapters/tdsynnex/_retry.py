"""How the client retries: exponential backoff with jitter, inside one time budget.

``TransientError`` is retried after ``initial_s * 2**(n-1)`` seconds (capped at ``max_s``, with
up to ``jitter`` of it randomised so many workers do not retry in step). ``RateLimited`` waits
exactly the server's ``Retry-After`` when it gave one. No wait is started that would end past
``timeout_s`` from the first attempt: the last error is raised instead, so the scheduler can defer
the order. Every other error is raised at once.

``FaultTally`` counts, per request kind, the retries and the faults seen by kind; ``TdSynnexStats``
is its snapshot.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio

from ._errors import AuthFailed, BadPayload, RateLimited, TdSynnexError, TransientError

__all__ = ["FaultTally", "RetryPolicy", "TdSynnexStats", "call_with_retry", "reply_fault_kind"]

_log = logging.getLogger("orderbridge.adapters.tdsynnex")
_random = random.SystemRandom()
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts, backoff bounds and the total time budget of one client call."""

    attempts: int = 3
    initial_s: float = 0.5
    max_s: float = 10.0
    timeout_s: float = 60.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.initial_s < 0 or self.max_s < 0 or self.timeout_s <= 0:
            raise ValueError("retry delays must be non-negative and the budget positive")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    def backoff(self, failures: int) -> float:
        """The wait after ``failures`` failed attempts (1 for the first)."""
        base = min(self.max_s, self.initial_s * 2.0 ** max(failures - 1, 0))
        spread = _random.uniform(0.0, base * self.jitter)
        return base * (1.0 - self.jitter) + spread


async def call_with_retry(
    operation: Callable[[float], Awaitable[T]],
    policy: RetryPolicy,
    *,
    what: str,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[TransientError], None] | None = None,
) -> T:
    """Run ``operation(remaining_budget_s)`` until it succeeds or the policy gives up
    (``on_retry`` hears of every error that is about to be retried)."""
    started = clock()
    failures = 0
    while True:
        remaining = policy.timeout_s - (clock() - started)
        try:
            return await operation(max(remaining, 0.001))
        except RateLimited as exc:
            failures += 1
            error: TransientError = exc
            wait = exc.retry_after if exc.retry_after is not None else policy.backoff(failures)
        except TransientError as exc:
            failures += 1
            error = exc
            wait = policy.backoff(failures)
        if failures >= policy.attempts:
            raise error
        if clock() - started + wait > policy.timeout_s:
            _log.warning("%s: not retrying, a %.1fs wait would exceed the time budget", what, wait)
            raise error
        if on_retry is not None:
            on_retry(error)
        _log.warning(
            "%s failed (attempt %d of %d): %s; retrying in %.2fs",
            what,
            failures,
            policy.attempts,
            error,
            wait,
        )
        await anyio.sleep(wait)


def reply_fault_kind(error: TdSynnexError) -> str:
    """The accounting name of an error TD SYNNEX reported inside an answer."""
    if isinstance(error, RateLimited):
        return "http_429"
    if isinstance(error, TransientError):
        return "transient_reply"  # ServerError, PO_TIMEOUT, DatabaseIssue, Internal API Fault
    if isinstance(error, AuthFailed):
        return "auth"
    if isinstance(error, BadPayload):
        return "bad_payload"
    return "rejected"


@dataclass(frozen=True, slots=True)
class TdSynnexStats:
    """What one client's requests cost, per request kind (``order_status``, ``invoices``).

    Fault kinds: ``http_429``, ``http_5xx`` (and 408), ``timeout``, ``dropped``,
    ``transient_reply`` (a temporary error inside an answer), ``auth``, ``bad_payload``,
    ``rejected``.
    """

    requests: Mapping[str, int]
    retries: Mapping[str, int]
    faults: Mapping[str, int]
    faults_by_request: Mapping[str, Mapping[str, int]]

    @property
    def total_requests(self) -> int:
        """Every HTTP request sent, retries included."""
        return sum(self.requests.values())

    def to_json(self) -> dict[str, Any]:
        """The stats as plain JSON for the activity log."""
        return {
            "requests": dict(self.requests),
            "total_requests": self.total_requests,
            "retries": dict(self.retries),
            "faults": dict(self.faults),
            "faults_by_request": {k: dict(v) for k, v in self.faults_by_request.items()},
        }


class FaultTally:
    """The running counters behind ``TdSynnexClient.stats``."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.requests: Counter[str] = Counter(dict.fromkeys(kinds, 0))
        self.retries: Counter[str] = Counter(dict.fromkeys(kinds, 0))
        self.faults: Counter[tuple[str, str]] = Counter()

    def fault(self, request: str, kind: str) -> None:
        """Count one failed request."""
        self.faults[(request, kind)] += 1

    def snapshot(self) -> TdSynnexStats:
        """The counters as an immutable ``TdSynnexStats``."""
        by_kind: Counter[str] = Counter()
        by_request: dict[str, dict[str, int]] = {}
        for (request, kind), n in sorted(self.faults.items()):
            by_kind[kind] += n
            by_request.setdefault(request, {})[kind] = n
        return TdSynnexStats(
            requests=dict(self.requests),
            retries=dict(self.retries),
            faults=dict(by_kind),
            faults_by_request=by_request,
        )
