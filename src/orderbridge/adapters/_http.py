"""What both HTTP clients share besides retries: a connection pool closed on leaving, and stats."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx2

from ._retry import RequestStats, RequestTally

__all__ = ["PooledClient"]


class PooledClient:
    """An ``async with`` client that owns one ``httpx2.AsyncClient`` and counts its requests."""

    _http: httpx2.AsyncClient
    _tally: RequestTally

    @property
    def request_count(self) -> dict[str, int]:
        """HTTP requests sent so far, per endpoint, retries included."""
        return dict(self._tally.requests)

    @property
    def stats(self) -> RequestStats:
        """Requests, retries and faults by kind so far (an immutable snapshot)."""
        return self._tally.snapshot()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
