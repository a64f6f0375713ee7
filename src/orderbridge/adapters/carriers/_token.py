"""An OAuth2 client-credentials token, kept until shortly before it expires.

One refresh at a time: concurrent callers wait for the same new token. A 401 on a tracking
call (the token expired early, or was revoked by a newer one) drops it, and the caller asks
once more with a fresh token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio

__all__ = ["AccessToken", "TokenKeeper"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and when it stops working."""

    value: str
    expires_at: datetime


class TokenKeeper:
    """Hands out a valid token, fetching a new one ``early`` before the old one expires."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[AccessToken]],
        clock: Callable[[], datetime],
        early: timedelta = timedelta(minutes=5),
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._early = early
        self._token: AccessToken | None = None
        self._lock = anyio.Lock()
        self.fetched = 0

    def __repr__(self) -> str:
        return f"TokenKeeper(fetched={self.fetched})"

    async def get(self) -> str:
        """A token valid for at least ``early`` more."""
        async with self._lock:
            token = self._token
            if token is None or self._clock() >= token.expires_at - self._early:
                token = await self._fetch()
                self.fetched += 1
                self._token = token
            return token.value

    def drop_all(self) -> None:
        """Forget the current token, whatever it is."""
        self._token = None

    def drop(self, value: str) -> None:
        """Forget this token (the carrier refused it); the next ``get`` fetches another."""
        if self._token is not None and self._token.value == value:
            self._token = None
