"""How a request to TD SYNNEX or Autotask is tried again, and what the requests cost.

One ``RetryPolicy`` serves both clients; its fields are the ``[retry]`` keys, so bootstrap builds
it once. A wait doubles from ``initial_backoff_s`` up to ``max_backoff_s``, with up to ``jitter``
of it randomised so many workers do not retry in step. A server's ``Retry-After`` replaces it and
is waited out in full: retrying sooner than asked only earns another refusal. No wait is started
that would end past ``total_timeout_s`` from the first attempt: the last error is raised instead,
so the scheduler can defer the order.

``call_with_retry`` runs one request under the policy. Each adapter says what its errors are
called in the accounting (``fault_kind``) and which of them are worth another try (``retry_on``:
only transient failures of requests that are safe to repeat). ``RequestTally`` counts requests,
retries and faults per endpoint; ``RequestStats`` is its snapshot.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio

from orderbridge.ports import UpstreamRateLimited

__all__ = ["RequestStats", "RequestTally", "RetryPolicy", "call_with_retry", "parse_retry_after"]

_log = logging.getLogger(__name__)
T = TypeVar("T")
FaultKind = Callable[[Exception], str | None]
BeforeWait = Callable[[Exception, float | None], Awaitable[float | None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts, backoff bounds and the total time budget of one request (the ``[retry]`` keys)."""

    attempts: int = 3
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 10.0
    total_timeout_s: float = 60.0
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.SystemRandom, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.initial_backoff_s < 0 or self.max_backoff_s < 0 or self.total_timeout_s <= 0:
            raise ValueError("retry waits must not be negative and the time budget positive")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that tries once."""
        return cls(attempts=1)

    def backoff_s(self, failures: int) -> float:
        """The wait after ``failures`` failed attempts (1 for the first), jitter included."""
        ceiling = min(self.max_backoff_s, self.initial_backoff_s * 2.0 ** max(failures - 1, 0))
        return ceiling * (1.0 - self.jitter) + self.rng.uniform(0.0, ceiling * self.jitter)

    def next_delay_s(
        self, failures: int, elapsed_s: float, retry_after: float | None = None
    ) -> float | None:
        """The wait before the next attempt, or ``None`` when the last error should be raised."""
        if failures >= self.attempts:
            return None
        wait = self.backoff_s(failures) if retry_after is None else retry_after
        return None if elapsed_s + wait > self.total_timeout_s else wait


@dataclass(frozen=True, slots=True)
class RequestStats:
    """What one client's requests cost: sent, retried and failed, per endpoint and by fault kind.

    Fault kinds: ``http_429``, ``http_5xx`` (and TD SYNNEX's 408), ``timeout``, ``dropped``,
    ``bad_payload``, ``auth``, ``rejected`` (validation, not found); Autotask adds
    ``thread_limit`` (``Itgenatr005``), TD SYNNEX ``transient_reply`` (a temporary error inside
    an answer). The ``budget_*`` counts are Autotask's waits for, and refusals by, its request
    budget.
    """

    requests: Mapping[str, int]
    retries: Mapping[str, int]
    retries_by_kind: Mapping[str, int]
    faults: Mapping[str, int]
    faults_by_endpoint: Mapping[str, Mapping[str, int]]
    budget_waits: int = 0
    budget_wait_s: float = 0.0
    budget_exhausted: int = 0

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
            "retries_by_kind": dict(self.retries_by_kind),
            "faults": dict(self.faults),
            "faults_by_endpoint": {k: dict(v) for k, v in self.faults_by_endpoint.items()},
            "budget_waits": self.budget_waits,
            "budget_wait_s": round(self.budget_wait_s, 3),
            "budget_exhausted": self.budget_exhausted,
        }


class RequestTally:
    """The running counters behind a client's ``stats`` (one event loop, no locking).

    ``endpoints`` start at zero, so a snapshot names them before their first request.
    """

    def __init__(self, endpoints: tuple[str, ...] = ()) -> None:
        self.requests: Counter[str] = Counter(dict.fromkeys(endpoints, 0))
        self.retries: Counter[str] = Counter(dict.fromkeys(endpoints, 0))
        self.retries_by_kind: Counter[str] = Counter()
        self.faults: Counter[tuple[str, str]] = Counter()
        self.budget_waits = 0
        self.budget_wait_s = 0.0
        self.budget_exhausted = 0

    def fault(self, endpoint: str, kind: str) -> None:
        """Count one failed request."""
        self.faults[(endpoint, kind)] += 1

    def retry(self, endpoint: str, kind: str) -> None:
        """Count one repeated request."""
        self.retries[endpoint] += 1
        self.retries_by_kind[kind] += 1

    def waited(self, seconds: float) -> None:
        """Count one wait for the request budget."""
        if seconds > 0:
            self.budget_waits += 1
            self.budget_wait_s += seconds

    def snapshot(self) -> RequestStats:
        """The counters as an immutable ``RequestStats``."""
        by_kind: Counter[str] = Counter()
        by_endpoint: dict[str, dict[str, int]] = {}
        for (endpoint, kind), n in sorted(self.faults.items()):
            by_kind[kind] += n
            by_endpoint.setdefault(endpoint, {})[kind] = n
        return RequestStats(
            requests=dict(self.requests),
            retries=dict(self.retries),
            retries_by_kind=dict(self.retries_by_kind),
            faults=dict(by_kind),
            faults_by_endpoint=by_endpoint,
            budget_waits=self.budget_waits,
            budget_wait_s=self.budget_wait_s,
            budget_exhausted=self.budget_exhausted,
        )


async def call_with_retry(
    operation: Callable[[float], Awaitable[T]],
    policy: RetryPolicy,
    *,
    endpoint: str,
    tally: RequestTally,
    fault_kind: FaultKind,
    retry_on: tuple[type[Exception], ...],
    before_wait: BeforeWait | None = None,
    what: str | None = None,
) -> T:
    """Run ``operation(remaining_budget_s)`` until it succeeds or ``policy`` gives up.

    Every error ``fault_kind`` names is counted as a fault of ``endpoint``; one it names ``None``
    (not a failed request, such as a spent budget) is raised at once. An instance of ``retry_on``
    is tried again after the policy's wait; ``before_wait(error, wait)`` may replace that wait
    first (``None``: raise the error).
    """
    started = time.monotonic()
    failures = 0
    while True:
        remaining = policy.total_timeout_s - (time.monotonic() - started)
        try:
            return await operation(max(remaining, 0.001))
        except Exception as error:
            kind = fault_kind(error)
            if kind is None:
                raise
            tally.fault(endpoint, kind)
            failures += 1
            wait = None
            if isinstance(error, retry_on):
                hint = error.retry_after if isinstance(error, UpstreamRateLimited) else None
                wait = policy.next_delay_s(failures, time.monotonic() - started, hint)
            if before_wait is not None:
                wait = await before_wait(error, wait)
            if wait is None:
                raise
            tally.retry(endpoint, kind)
            _log.warning(
                "%s failed (attempt %d of %d, %s); retrying in %.2fs",
                what or f"{endpoint} request",
                failures,
                policy.attempts,
                kind,
                wait,
            )
            await anyio.sleep(wait)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
