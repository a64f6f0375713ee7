"""The limits in front of the API: hourly threshold, thread limit, usage latency, fault answers.

``AutotaskGateway`` extends the shared ``SimulatorMiddleware``: it counts every API request
against the hourly threshold *before* fault injection (real Autotask counts what it receives,
so injected faults count too), holds a thread slot per (integration code, endpoint) for the
whole request (injected latency included), and answers limit rejections itself while still
recording them in the shared counters and request log. zoneInformation is exempt from both.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orderbridge.simulators._common import RequestRecord, SimState, SimulatorMiddleware

from .config import AutotaskSimConfig
from .entities import EntityCatalog
from .errors import errors_response
from .limits import HourlyCounter, ThreadGate
from .routing import Resource, match_route

__all__ = ["AutotaskFaultResponder", "AutotaskGateway", "endpoint_resolver"]

_EXEMPT = Resource.ZONE.value


def endpoint_resolver(catalog: EntityCatalog) -> Callable[[str, str], str]:
    """``endpoint_of(method, path)`` for the middleware: the entity endpoint a request hits."""

    def endpoint_of(method: str, path: str) -> str:
        match = match_route(catalog, path)
        return "unknown" if match is None else match.endpoint

    return endpoint_of


def thread_limit_message(limit: int) -> str:
    """The text Autotask sends when the thread limit is hit."""
    return (
        "Thread Threshold Exceeded — The Autotask API thread threshold of "
        f"{limit} threads has been exceeded (Itgenatr005)"
    )


def hourly_limit_message(threshold: int) -> str:
    """The text for requests past the hourly threshold (exact wording UNCONFIRMED)."""
    return (
        f"Request threshold exceeded: the API request threshold of {threshold} requests per "
        "hour for this database has been reached. Try again later."
    )


class AutotaskFaultResponder:
    """Injected faults in Autotask's shapes."""

    def __init__(self, config: AutotaskSimConfig) -> None:
        self.config = config

    def error_response(self, status: int, retry_after: int | None) -> Response:
        """An ``{"errors": [...]}`` answer with ``status`` (and Retry-After when given)."""
        if status == 429:
            message = hourly_limit_message(self.config.hourly_threshold)
        elif status == 503:
            message = "The service is temporarily unavailable. Please try again later."
        elif status == 504:
            message = "The request timed out."
        else:
            message = (
                "An unexpected error has occurred. Please contact Autotask Support. "
                "Error ID: 99999."
            )
        response = errors_response([message], status)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    def malformed_response(self) -> Response:
        """A 200 whose JSON stops half way."""
        return Response(b'{"items":[{"id":1,"status":2,"vendorID"', media_type="application/json")


class AutotaskGateway(SimulatorMiddleware):
    """SimulatorMiddleware plus Autotask's hourly threshold, thread limit and usage latency."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: SimState,
        endpoint_of: Callable[[str, str], str],
        responder: AutotaskFaultResponder,
        config: AutotaskSimConfig,
        counter: HourlyCounter,
        threads: ThreadGate,
    ) -> None:
        super().__init__(app, state=state, endpoint_of=endpoint_of, responder=responder)
        self.config = config
        self.counter = counter
        self.threads = threads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await super().__call__(scope, receive, send)
            return
        endpoint = self.endpoint_of(scope["method"], scope["path"])
        if endpoint == _EXEMPT:
            await super().__call__(scope, receive, send)
            return
        count = self.counter.record()
        if count > self.counter.threshold:
            message = hourly_limit_message(self.counter.threshold)
            await self._reject(scope, receive, send, endpoint, errors_response([message], 429))
            return
        key = (_header(scope, b"apiintegrationcode"), endpoint)
        if not self.threads.try_enter(key):
            message = thread_limit_message(self.threads.limit)
            await self._reject(scope, receive, send, endpoint, errors_response([message], 429))
            return
        try:
            delay = self._usage_latency(count) + self.config.processing_delay_s
            if delay > 0:
                await anyio.sleep(delay)
            await super().__call__(scope, receive, send)
        finally:
            self.threads.leave(key)

    def _usage_latency(self, count: int) -> float:
        usage = count / self.counter.threshold
        if usage >= 0.75:
            return self.config.latency_at_75_percent_s
        if usage >= 0.5:
            return self.config.latency_at_50_percent_s
        return 0.0

    async def _reject(
        self, scope: Scope, receive: Receive, send: Send, endpoint: str, response: JSONResponse
    ) -> None:
        method: str = scope["method"]
        self.state.count(endpoint, method)
        body = await _read_body(receive)
        await response(scope, receive, send)
        self.state.log(
            RequestRecord(
                at=self.state.clock.now(),
                method=method,
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                endpoint=endpoint,
                status=response.status_code,
                body=SimState.clip(body),
                fault=None,
            )
        )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1").strip()
    return ""


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    more = True
    while more:
        message: Message = await receive()
        parts.append(message.get("body", b""))
        more = message["type"] == "http.request" and bool(message.get("more_body"))
    return b"".join(parts)
