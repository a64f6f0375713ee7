"""Typed errors of the carrier-tracking clients, each a subclass of its port error.

Messages name the carrier and say what to do; they never carry a client secret, an API key or a
token: text a carrier sent back is passed through ``redact`` before it is quoted.
"""

from __future__ import annotations

from collections.abc import Iterable

from orderbridge.ports import (
    UpstreamAuthError,
    UpstreamBadPayload,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from orderbridge.redaction import redact as redact_text

__all__ = [
    "CarrierAuthFailed",
    "CarrierBadPayload",
    "CarrierError",
    "CarrierRateLimited",
    "CarrierUnavailable",
    "CarrierWindowSpent",
    "redact",
]


class CarrierError(UpstreamError):
    """Base of every carrier-tracking error; ``service`` is the carrier's name."""

    def __init__(self, carrier: str, message: str) -> None:
        super().__init__(f"{carrier}: {message}")
        self.service = carrier
        self.carrier = carrier


class CarrierAuthFailed(CarrierError, UpstreamAuthError):
    """The carrier refused the credentials (or the API product is not enabled for them)."""


class CarrierUnavailable(CarrierError, UpstreamUnavailable):
    """5xx, timeout or dropped connection: the carrier may be back next cycle."""


class CarrierRateLimited(CarrierUnavailable, UpstreamRateLimited):
    """The carrier said 429 (or our own per-carrier limit is spent); ``retry_after`` in seconds."""

    def __init__(self, carrier: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(carrier, message)
        self.retry_after = retry_after


class CarrierWindowSpent(CarrierRateLimited):
    """Our own request window for this carrier is spent (or closed by a Retry-After): not sent."""


class CarrierBadPayload(CarrierError, UpstreamBadPayload):
    """The carrier's answer could not be read."""


def redact(text: str, secrets: Iterable[str]) -> str:
    """Carrier-supplied text without any of our secrets (the one redaction), clipped."""
    return redact_text(text, secrets)[:300]
