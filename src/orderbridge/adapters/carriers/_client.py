"""What every carrier client shares: one httpx2 client, the request window, the shared retry.

``CarrierHttp.send`` is the one place a carrier request goes out. Each attempt is counted against
the carrier's window; tracking calls only read, so a transient failure (5xx, timeout, dropped
connection, 429) is tried again under the shared ``RetryPolicy`` (``[retry]``), a 429 after
exactly its ``Retry-After``. A ``Retry-After`` longer than ``max_wait_s`` is not waited out in
the cycle: it closes the carrier's window until then and ``CarrierRateLimited`` is raised.
Status codes a carrier gives its own meaning (400, 401, 403, 404) come back to the caller.
The transport is the seam for tests: pass any ``httpx2.AsyncBaseTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx2

from orderbridge.adapters._retry import (
    RequestStats,
    RequestTally,
    RetryPolicy,
    call_with_retry,
    parse_retry_after,
)

from ._errors import (
    CarrierBadPayload,
    CarrierRateLimited,
    CarrierUnavailable,
    CarrierWindowSpent,
    redact,
)
from ._limits import RequestWindow

__all__ = ["MAX_BODY_BYTES", "CarrierHttp", "json_object"]

MAX_BODY_BYTES = 4 * 1024 * 1024
CARRIER_CALLS = "carrier"


def _fault_kind(error: Exception) -> str | None:
    if isinstance(error, CarrierWindowSpent):
        return None  # nothing was sent
    if isinstance(error, CarrierRateLimited):
        return "http_429"
    if isinstance(error, CarrierUnavailable):
        return "unavailable"
    return "other"


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
        retry: RetryPolicy | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.carrier = carrier
        self.window = window
        self._clock = clock
        self._secrets = secrets
        self._max_wait_s = max_wait_s
        self._timeout_s = timeout_s
        self._retry = retry or RetryPolicy()
        self._tally = RequestTally((CARRIER_CALLS,))
        self._http = httpx2.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout_s,
            follow_redirects=False,
            headers={"User-Agent": "orderbridge", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"CarrierHttp({self.carrier!r}, base_url={str(self._http.base_url)!r})"

    @property
    def requests(self) -> int:
        """Requests sent so far (retries and token requests included)."""
        return self._tally.requests[CARRIER_CALLS]

    @property
    def stats(self) -> RequestStats:
        """Requests, retries and faults so far."""
        return self._tally.snapshot()

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
        """One request under the retry policy; raises ``CarrierError`` subclasses."""
        request = {
            "headers": dict(headers or {}),
            "params": dict(params or {}),
            "json": json_body,
            "data": dict(form) if form is not None else None,
            "auth": auth,
        }

        async def attempt(budget_s: float) -> httpx2.Response:
            return await self._attempt(method, path, request, budget_s)

        async def before_wait(error: Exception, wait: float | None) -> float | None:
            retry_after = error.retry_after if isinstance(error, CarrierRateLimited) else None
            if retry_after is not None and retry_after > self._max_wait_s:
                self.window.close_for(retry_after)  # not within this cycle
                return None
            return wait

        return await call_with_retry(
            attempt,
            self._retry,
            endpoint=CARRIER_CALLS,
            tally=self._tally,
            fault_kind=_fault_kind,
            retry_on=(CarrierUnavailable,),
            before_wait=before_wait,
            what=f"{self.carrier} {method} {path.split('?')[0]}",
        )

    async def _attempt(
        self, method: str, path: str, request: dict[str, Any], budget_s: float
    ) -> httpx2.Response:
        if not self.window.take():
            raise CarrierWindowSpent(
                self.carrier, "request limit for this period reached; tracking resumes later"
            )
        self._tally.requests[CARRIER_CALLS] += 1
        try:
            timeout = min(self._timeout_s, budget_s)
            response = await self._http.request(method, path, timeout=timeout, **request)
        except httpx2.TimeoutException:
            raise CarrierUnavailable(self.carrier, "the request timed out") from None
        except httpx2.HTTPError as exc:  # transport, protocol and decoding failures
            raise CarrierUnavailable(
                self.carrier, f"connection failed ({type(exc).__name__})"
            ) from None
        if response.status_code == 429:
            wait = parse_retry_after(response.headers.get("retry-after"), now=self._clock())
            raise CarrierRateLimited(
                self.carrier, "the carrier asked to slow down (HTTP 429)", retry_after=wait
            )
        if response.status_code >= 500:
            raise CarrierUnavailable(
                self.carrier, f"the carrier answered HTTP {response.status_code}"
            )
        return response

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
