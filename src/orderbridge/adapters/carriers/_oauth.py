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

from ._client import CarrierHttp, TrackerBase
from ._errors import CarrierBadPayload
from ._token import AccessToken, TokenKeeper
from ._values import parse_decimal, text

__all__ = ["OAuthTracker", "token_from_reply"]


def token_from_reply(carrier: str, data: Mapping[str, Any], now: datetime) -> AccessToken:
    """A token from an RFC 6749 answer (numbers may be strings; ``issued_at`` is in ms)."""
    value = text(data.get("access_token"))
    lifetime = parse_decimal(data.get("expires_in"))
    if value is None or lifetime is None:
        raise CarrierBadPayload(carrier, "the token answer has no access_token or expires_in")
    start = now
    issued = parse_decimal(data.get("issued_at"))
    if issued is not None:
        from_carrier = datetime.fromtimestamp(float(issued) / 1000, tz=now.tzinfo)
        # Trust the carrier's issue time only when the clocks roughly agree.
        if abs((from_carrier - now).total_seconds()) < 300:
            start = from_carrier
    return AccessToken(value, start + timedelta(seconds=float(lifetime)))


class OAuthTracker(TrackerBase):
    """A carrier client whose calls carry a client-credentials bearer token."""

    grant_path = "/oauth/token"

    def __init__(
        self,
        http: CarrierHttp,
        *,
        client_id: str,
        client_secret: str,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(http, clock)
        self._client_id = client_id
        self._client_secret = client_secret
        self._tokens = TokenKeeper(self._fetch_token, clock)

    @property
    def tokens_fetched(self) -> int:
        """Tokens obtained so far (a test and benchmark aid)."""
        return self._tokens.fetched

    async def check_credentials(self) -> None:
        """Fetch a token now: proves the client id and secret are accepted."""
        self._tokens.drop_all()
        await self._tokens.get()

    def _token_request(self) -> dict[str, Any]:
        """The token request's ``send`` arguments: by default the pair in the form."""
        pair = {"client_id": self._client_id, "client_secret": self._client_secret}
        return {"form": {"grant_type": "client_credentials", **pair}}

    async def _fetch_token(self) -> AccessToken:
        response = await self._http.send("POST", self.grant_path, **self._token_request())
        if response.status_code != 200:
            raise self._refused(response, "the token request")
        return token_from_reply(self.carrier_name, self._http.json(response), self._clock())

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
