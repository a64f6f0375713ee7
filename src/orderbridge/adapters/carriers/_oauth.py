"""The OAuth2 client-credentials flow UPS, FedEx and USPS share, and the tracker base on it.

``OAuthTracker.authorized`` sends a request with the current bearer token; a 401 drops the
token and the request is sent once more with a new one (a token may expire mid-cycle, and a
USPS token is revoked by a newer one). A second 401, or a refused token request, is
``CarrierAuthFailed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx2

from orderbridge.adapters._retry import RequestStats

from ._client import CarrierHttp
from ._errors import CarrierAuthFailed, CarrierBadPayload
from ._token import AccessToken, TokenKeeper
from ._values import parse_decimal, text

__all__ = ["OAuthTracker", "token_from_reply"]


def token_from_reply(
    carrier: str, data: Mapping[str, Any], now: datetime, *, issued_ms: bool = False
) -> AccessToken:
    """A token from an RFC 6749 answer (numbers may be strings; UPS adds ``issued_at`` in ms)."""
    value = text(data.get("access_token"))
    lifetime = parse_decimal(data.get("expires_in"))
    if value is None or lifetime is None:
        raise CarrierBadPayload(carrier, "the token answer has no access_token or expires_in")
    start = now
    issued = parse_decimal(data.get("issued_at")) if issued_ms else None
    if issued is not None:
        from_carrier = datetime.fromtimestamp(float(issued) / 1000, tz=now.tzinfo)
        # Trust the carrier's issue time only when the clocks roughly agree.
        if abs((from_carrier - now).total_seconds()) < 300:
            start = from_carrier
    return AccessToken(value, start + timedelta(seconds=float(lifetime)))


class OAuthTracker:
    """A carrier client whose calls carry a client-credentials bearer token."""

    carrier_name = "carrier"

    def __init__(self, http: CarrierHttp, clock: Callable[[], datetime]) -> None:
        self._http = http
        self._clock = clock
        self._tokens = TokenKeeper(self._fetch_token, clock)

    @property
    def tokens_fetched(self) -> int:
        """Tokens obtained so far (a test and benchmark aid)."""
        return self._tokens.fetched

    @property
    def requests(self) -> int:
        """Requests sent so far, token requests included."""
        return self._http.requests

    @property
    def stats(self) -> RequestStats:
        """Requests, retries and faults so far."""
        return self._http.stats

    def allowance(self) -> int:
        """Requests that may go out now."""
        return self._http.window.allowance()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def check_credentials(self) -> None:
        """Fetch a token now: proves the client id and secret are accepted."""
        self._tokens.drop_all()
        await self._tokens.get()

    async def _fetch_token(self) -> AccessToken:
        raise NotImplementedError

    def _refused(self, response: httpx2.Response, what: str) -> CarrierAuthFailed:
        body = self._http.redact(response.text)
        return CarrierAuthFailed(
            self.carrier_name,
            f"{what} refused (HTTP {response.status_code}): {body}; check the client id and "
            "secret and that the tracking API is enabled for them",
        )

    async def authorized(
        self, method: str, path: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx2.Response:
        """A request with the bearer token; one retry with a fresh token after a 401."""
        response: httpx2.Response | None = None
        for _ in (1, 2):
            token = await self._tokens.get()
            merged = {**(headers or {}), "Authorization": f"Bearer {token}"}
            response = await self._http.send(method, path, headers=merged, **kwargs)
            if response.status_code != 401:
                return response
            self._tokens.drop(token)
        assert response is not None
        raise self._refused(response, "the tracking call")
