"""What every carrier client shares: one httpx2 client, the request window, error mapping.

``CarrierHttp.send`` is the one place a carrier request goes out. It counts the request against
the carrier's window, waits out a short ``Retry-After`` once (longer ones close the window and
raise ``CarrierRateLimited``), and turns transport failures and 5xx into ``CarrierUnavailable``.
Status codes a carrier gives its own meaning (401, 403, 404, 400) come back to the caller.
The transport is the seam for tests: pass any ``httpx2.AsyncBaseTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import anyio
import httpx2

from orderbridge.adapters._retry import parse_retry_after

from ._errors import CarrierBadPayload, CarrierRateLimited, CarrierUnavailable, redact
from ._limits import RequestWindow

__all__ = ["MAX_BODY_BYTES", "CarrierHttp", "json_object"]

MAX_BODY_BYTES = 4 * 1024 * 1024


class CarrierHttp:
    """HTTP for one carrier: base URL, timeout, request window and secrets to keep out of text."""

    def __init__(
        self,
        carrier: str,
        base_url: str,
        *,
        window: RequestWindow,
        clock: Callable[[], datetime],
        secrets: tuple[str, ...] = (),
        timeout_s: float = 30.0,
        max_wait_s: float = 10.0,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.carrier = carrier
        self.window = window
        self.requests = 0
        self._clock = clock
        self._secrets = secrets
        self._max_wait_s = max_wait_s
        self._http = httpx2.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout_s,
            follow_redirects=False,
            headers={"User-Agent": "orderbridge", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"CarrierHttp({self.carrier!r}, base_url={str(self._http.base_url)!r})"

    def redact(self, text: str) -> str:
        """Carrier-supplied text without any secret of ours."""
        return redact(text, self._secrets)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> httpx2.Response:
        """One request (a short 429 is waited out once); raises ``CarrierError`` subclasses."""
        for attempt in (1, 2):
            if not self.window.take():
                raise CarrierRateLimited(
                    self.carrier, "request limit for this period reached; tracking resumes later"
                )
            self.requests += 1
            try:
                response = await self._http.request(
                    method,
                    path,
                    headers=dict(headers or {}),
                    params=dict(params or {}),
                    json=json_body,
                    data=dict(form) if form is not None else None,
                    auth=auth,
                )
            except httpx2.TimeoutException:
                raise CarrierUnavailable(self.carrier, "the request timed out") from None
            except httpx2.HTTPError as exc:  # transport, protocol and decoding failures
                raise CarrierUnavailable(
                    self.carrier, f"connection failed ({type(exc).__name__})"
                ) from None
            if response.status_code == 429:
                wait = parse_retry_after(response.headers.get("retry-after"), now=self._clock())
                if attempt == 1 and wait is not None and wait <= self._max_wait_s:
                    await anyio.sleep(wait)
                    continue
                self.window.close_for(wait if wait is not None else 60.0)
                raise CarrierRateLimited(
                    self.carrier, "the carrier asked to slow down (HTTP 429)", retry_after=wait
                )
            if response.status_code >= 500:
                raise CarrierUnavailable(
                    self.carrier, f"the carrier answered HTTP {response.status_code}"
                )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def json(self, response: httpx2.Response) -> dict[str, Any]:
        """The body as a JSON object, else ``CarrierBadPayload``."""
        return json_object(self.carrier, response.content)


def json_object(carrier: str, raw: bytes) -> dict[str, Any]:
    """Decode a JSON object body, refusing oversized or non-object answers."""
    if len(raw) > MAX_BODY_BYTES:
        raise CarrierBadPayload(carrier, f"the answer is larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw)
    except ValueError:
        raise CarrierBadPayload(carrier, "the answer is not JSON") from None
    if not isinstance(data, dict):
        raise CarrierBadPayload(carrier, "the answer is not a JSON object")
    return data
