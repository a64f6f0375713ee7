"""What every carrier client shares: one httpx2 client, the request window, the shared retry,
and ``TrackerBase``, which reads a tracking answer's status the same way for every carrier.

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
from collections.abc import Callable, Mapping, Sequence
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
from orderbridge.domain.package_tracking import TrackingProblem, TrackingReply

from ._errors import (
    CarrierAuthFailed,
    CarrierBadPayload,
    CarrierRateLimited,
    CarrierUnavailable,
    CarrierWindowSpent,
    redact,
)
from ._limits import RequestWindow

__all__ = ["MAX_BODY_BYTES", "CarrierHttp", "TrackerBase", "json_object"]

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


class TrackerBase:
    """A carrier's tracker: counters, allowance, closing, and reading an answer's status.

    A subclass names its carrier, sends ``_track_one`` and says where its error text is
    (``_error_of``); 401 and 403 are refusals, 400 and 404 a problem with this number.
    """

    carrier_name = "carrier"
    batch_size = 1
    credentials_hint = (
        "check the client id and secret and that the tracking API is enabled for them"
    )

    def __init__(self, http: CarrierHttp, clock: Callable[[], datetime]) -> None:
        self._http = http
        self._clock = clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http!r})"

    @property
    def carrier(self) -> str:
        """The carrier's name as users read it (``UPS``, ``FedEx``, ``USPS``, ``DHL``)."""
        return self.carrier_name

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

    async def track(self, tracking_numbers: Sequence[str]) -> Mapping[str, TrackingReply]:
        """One request per number."""
        return {n: await self._track_one(n) for n in tracking_numbers}

    async def _track_one(self, number: str) -> TrackingReply:
        raise NotImplementedError

    def _error_of(self, data: dict[str, Any]) -> str | None:
        """The carrier's own words in an error answer."""
        raise NotImplementedError

    def _refused(self, response: httpx2.Response, what: str) -> CarrierAuthFailed:
        body = self._http.redact(response.text)
        return CarrierAuthFailed(
            self.carrier_name,
            f"{what} refused (HTTP {response.status_code}): {body}; {self.credentials_hint}",
        )

    def _words(self, response: httpx2.Response) -> str:
        """The carrier's own words in an error answer, redacted; empty when it has none."""
        try:
            data = self._http.json(response)
        except CarrierBadPayload:
            return ""
        return self._http.redact(self._error_of(data) or "")

    def _answer(self, response: httpx2.Response) -> dict[str, Any]:
        """The JSON object of a 200; a refusal or any other status raises."""
        if response.status_code in (401, 403):
            raise self._refused(response, "the tracking call")
        if response.status_code != 200:
            words = self._words(response)
            detail = f": {words}" if words else ""
            raise CarrierBadPayload(
                self.carrier_name, f"unexpected HTTP {response.status_code}{detail}"
            )
        return self._http.json(response)

    def _number_answer(
        self, response: httpx2.Response, number: str, now: datetime
    ) -> dict[str, Any] | TrackingProblem:
        """As ``_answer``, but a 400 or 404 is the carrier's word about this one number."""
        if response.status_code in (400, 404):
            words = self._words(response) or f"HTTP {response.status_code}"
            return TrackingProblem(self.carrier_name, number, now, words)
        return self._answer(response)
