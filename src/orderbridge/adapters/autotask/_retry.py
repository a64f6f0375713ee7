"""When and how long to wait before trying an Autotask request again.

Only requests that are safe to repeat are retried — reads, queries, counts and PATCH with the
same body — and only on ``Unavailable`` and 429s (``RateLimited``/``ThreadLimited``). A POST
create is never repeated: Autotask reports business-rule failures as 500s, and a create that
timed out may still have happened.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ._errors import AutotaskError, RateLimited, Unavailable

__all__ = ["RetryPolicy"]


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
