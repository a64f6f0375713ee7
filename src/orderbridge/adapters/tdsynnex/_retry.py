"""How the client retries: exponential backoff with jitter, inside one time budget.

``TransientError`` is retried after ``initial_s * 2**(n-1)`` seconds (capped at ``max_s``, with
up to ``jitter`` of it randomised so many workers do not retry in step). ``RateLimited`` waits
exactly the server's ``Retry-After`` when it gave one. No wait is started that would end past
``timeout_s`` from the first attempt: the last error is raised instead, so the scheduler can defer
the order. Every other error is raised at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio

from ._errors import RateLimited, TransientError

__all__ = ["RetryPolicy", "call_with_retry"]

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
) -> T:
    """Run ``operation(remaining_budget_s)`` until it succeeds or the policy gives up."""
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
        _log.warning(
            "%s failed (attempt %d of %d): %s; retrying in %.2fs",
            what,
            failures,
            policy.attempts,
            error,
            wait,
        )
        await anyio.sleep(wait)
