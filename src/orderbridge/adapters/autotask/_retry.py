"""When and how long to wait before trying an Autotask request again, and what it cost.

Only requests that are safe to repeat are retried — reads, queries, counts and PATCH with the
same body — and only on ``Unavailable`` and 429s (``RateLimited``/``ThreadLimited``). A POST
create is never repeated: Autotask reports business-rule failures as 500s, and a create that
timed out may still have happened. A 429 that names the hourly threshold is also reported to the
request budget (see ``_budget``), which pauses or stops every request to that database.

``RequestTally`` counts requests, retries and faults by kind; ``AutotaskStats`` is its snapshot.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio

from ._errors import (
    AuthFailed,
    AutotaskError,
    BadPayload,
    BudgetExhausted,
    RateLimited,
    ThreadLimited,
    Unavailable,
)

__all__ = ["AutotaskStats", "RequestTally", "RetryPolicy", "fault_kind", "send_with_retry"]

log = logging.getLogger(__name__)
T = TypeVar("T")
HourlyLimitHook = Callable[[RateLimited, float | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; ``Retry-After`` wins when Autotask sends it."""

    max_attempts: int = 5
    initial_delay_s: float = 1.0
    max_delay_s: float = 60.0
    max_total_s: float = 300.0
    jitter: bool = True
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_delay_s < 0 or self.max_delay_s < 0 or self.max_total_s < 0:
            raise ValueError("retry delays must not be negative")

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that tries once."""
        return cls(max_attempts=1)

    @staticmethod
    def retryable(error: AutotaskError) -> bool:
        """Whether the error is transient (the same request may succeed later)."""
        return isinstance(error, Unavailable | RateLimited)

    def delay_s(self, error: AutotaskError, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        hinted = error.retry_after if isinstance(error, RateLimited) else None
        if hinted is not None:
            return min(hinted, self.max_delay_s)
        ceiling = min(self.max_delay_s, self.initial_delay_s * 2 ** (attempt - 1))
        return self.rng.uniform(ceiling / 2, ceiling) if self.jitter else ceiling

    def next_delay_s(self, error: AutotaskError, attempt: int, elapsed_s: float) -> float | None:
        """The wait before the next attempt, or ``None`` when the error should be raised."""
        if not self.retryable(error) or attempt >= self.max_attempts:
            return None
        wait = self.delay_s(error, attempt)
        if elapsed_s + wait > self.max_total_s:
            return None
        return wait


def fault_kind(error: AutotaskError) -> str:
    """The accounting name of what went wrong with one request."""
    if isinstance(error, ThreadLimited):
        return "thread_limit"
    if isinstance(error, RateLimited):
        return "http_429"
    if isinstance(error, Unavailable):
        return error.fault
    if isinstance(error, BadPayload):
        return "bad_payload"
    if isinstance(error, AuthFailed):
        return "auth"
    return "rejected"


@dataclass(frozen=True, slots=True)
class AutotaskStats:
    """What one client's requests cost: sent, retried, faults by kind, waits for the budget.

    Fault kinds: ``http_429`` (hourly threshold), ``thread_limit`` (``Itgenatr005``),
    ``http_5xx``, ``timeout``, ``dropped``, ``bad_payload``, ``auth``, ``rejected`` (validation,
    not found).
    """

    requests: Mapping[str, int]
    retries: Mapping[str, int]
    retries_by_kind: Mapping[str, int]
    faults: Mapping[str, int]
    faults_by_endpoint: Mapping[str, Mapping[str, int]]
    budget_waits: int
    budget_wait_s: float
    budget_exhausted: int

    @property
    def total_requests(self) -> int:
        """Every HTTP request sent (retries and zone lookups included)."""
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
    """The running counters behind ``AutotaskClient.stats`` (one event loop, no locking)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.retries_by_kind: Counter[str] = Counter()
        self.faults: Counter[tuple[str, str]] = Counter()
        self.budget_waits = 0
        self.budget_wait_s = 0.0
        self.budget_exhausted = 0

    def fault(self, endpoint: str, error: AutotaskError) -> str:
        """Count one failed request; its fault kind."""
        kind = fault_kind(error)
        self.faults[(endpoint, kind)] += 1
        return kind

    def retry(self, endpoint: str, kind: str) -> None:
        """Count one repeated request."""
        self.retries[endpoint] += 1
        self.retries_by_kind[kind] += 1

    def waited(self, seconds: float) -> None:
        """Count one wait for the request budget."""
        if seconds > 0:
            self.budget_waits += 1
            self.budget_wait_s += seconds

    def snapshot(self) -> AutotaskStats:
        """The counters as an immutable ``AutotaskStats``."""
        by_kind: Counter[str] = Counter()
        by_endpoint: dict[str, dict[str, int]] = {}
        for (endpoint, kind), n in sorted(self.faults.items()):
            by_kind[kind] += n
            by_endpoint.setdefault(endpoint, {})[kind] = n
        return AutotaskStats(
            requests=dict(self.requests),
            retries=dict(self.retries),
            retries_by_kind=dict(self.retries_by_kind),
            faults=dict(by_kind),
            faults_by_endpoint=by_endpoint,
            budget_waits=self.budget_waits,
            budget_wait_s=self.budget_wait_s,
            budget_exhausted=self.budget_exhausted,
        )


async def send_with_retry(
    send: Callable[[], Awaitable[T]],
    *,
    endpoint: str,
    policy: RetryPolicy,
    tally: RequestTally,
    retry: bool,
    on_hourly_limit: HourlyLimitHook,
) -> T:
    """Run ``send()`` until it succeeds or ``policy`` gives up, counting faults and retries.

    An hourly-threshold 429 goes to ``on_hourly_limit(error, planned_wait)`` first, which either
    holds the whole budget back for that wait (the retry then waits inside the budget) or raises
    ``BudgetExhausted``. ``BudgetExhausted`` itself is never retried.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await send()
        except BudgetExhausted:
            raise
        except AutotaskError as err:
            kind = tally.fault(endpoint, err)
            elapsed = time.monotonic() - started
            wait = policy.next_delay_s(err, attempt, elapsed) if retry else None
            if isinstance(err, RateLimited) and not isinstance(err, ThreadLimited):
                await on_hourly_limit(err, wait)
                if wait is not None:
                    wait = 0.0  # the budget now holds every request back for the pause
            if wait is None:
                raise
            tally.retry(endpoint, kind)
            log.warning(
                "autotask request will be retried",
                extra={"endpoint": endpoint, "attempt": attempt, "wait_s": wait, "fault": kind},
            )
            await anyio.sleep(wait)
