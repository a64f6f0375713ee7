"""Tokens and rate limits of one simulated carrier, on the simulator's clock.

Tokens expire after the configured lifetime (set it to a few seconds to expire one mid-cycle).
Tracking calls are counted in fixed windows: the clock hour (USPS) and the UTC day (DHL resets
at 24:00 GMT); a spent window answers 429 with ``Retry-After`` until it rolls over.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import CarrierSimConfig

__all__ = ["CarrierAccess", "IssuedToken"]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token the simulator handed out."""

    value: str
    issued_at: datetime
    expires_at: datetime
    scopes: tuple[str, ...]


class CarrierAccess:
    """Issued tokens and tracking-call windows."""

    def __init__(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}
        self._calls: dict[str, int] = {}
        self._lock = threading.Lock()
        self.tokens_issued = 0

    def issue(self, config: CarrierSimConfig, now: datetime) -> IssuedToken:
        """A new token valid for the configured lifetime."""
        scopes = ("addresses", "tracking") if config.tracking_scope else ("addresses",)
        token = IssuedToken(
            value=secrets.token_urlsafe(24),
            issued_at=now,
            expires_at=now + timedelta(seconds=config.token_lifetime_s),
            scopes=scopes,
        )
        with self._lock:
            self._tokens[token.value] = token
            self.tokens_issued += 1
        return token

    def bearer(self, header: str | None, now: datetime) -> IssuedToken | None:
        """The valid token in an ``Authorization: Bearer`` header, if any."""
        scheme, _, value = (header or "").partition(" ")
        if scheme.casefold() != "bearer":
            return None
        with self._lock:
            token = self._tokens.get(value.strip())
        if token is None or now >= token.expires_at:
            return None
        return token

    def spend(self, config: CarrierSimConfig, now: datetime) -> float | None:
        """Count one tracking call; the seconds to wait when a window is spent (not counted)."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        windows = [
            (f"h{hour.isoformat()}", config.hourly_limit, hour + timedelta(hours=1)),
            (f"d{day.isoformat()}", config.daily_limit, day + timedelta(days=1)),
        ]
        with self._lock:
            for key, limit, ends in windows:
                if limit is not None and self._calls.get(key, 0) >= limit:
                    return max(1.0, (ends - now).total_seconds())
            for key, limit, _ in windows:
                if limit is not None:
                    self._calls[key] = self._calls.get(key, 0) + 1
        return None

    def reset(self) -> None:
        """Forget tokens and counted calls."""
        with self._lock:
            self._tokens.clear()
            self._calls.clear()
            self.tokens_issued = 0
