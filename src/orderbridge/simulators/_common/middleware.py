"""ASGI middleware that counts, logs and injects faults in front of a simulator's routes.

Admin routes (``/_sim/...``) pass straight through: they are neither counted nor faulted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import anyio
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import FaultKind, FaultRule
from .state import RequestRecord, SimState

__all__ = ["FaultResponder", "SimulatorMiddleware"]


class FaultResponder(Protocol):
    """How one simulator answers an injected fault in its own wire format."""

    def error_response(self, status: int, retry_after: int | None) -> Response:
        """The body and headers the real service would send with ``status``."""
        ...

    def malformed_response(self) -> Response:
        """A 200 answer whose body is broken (truncated, garbled)."""
        ...


class _DropFilter(logging.Filter):
    """Silence uvicorn's complaint about the connections we drop on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_DropFilter())


class SimulatorMiddleware:
    """Count every request per endpoint and method, keep a request log, inject faults."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: SimState,
        endpoint_of: Callable[[str, str], str],
        responder: FaultResponder,
    ) -> None:
        self.app = app
        self.state = state
        self.endpoint_of = endpoint_of
        self.responder = responder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        endpoint = self.endpoint_of(method, path)
        self.state.count(endpoint, method)

        body_parts: list[bytes] = []

        async def tee_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body_parts.append(message.get("body", b""))
            return message

        status_holder: list[int] = [0]

        async def tee_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = int(message["status"])
            await send(message)

        decision = self.state.faults.decide(endpoint, method)
        for fired in decision.fired:
            self.state.count_fault(endpoint, fired.kind.value)
        if decision.delay_s > 0:
            await anyio.sleep(decision.delay_s)
        fault = decision.rule
        if fault is None:
            await self.app(scope, tee_receive, tee_send)
        else:
            await self._drain(tee_receive)
            await self._answer_fault(fault, scope, tee_receive, tee_send)
        self.state.log(
            RequestRecord(
                at=self.state.clock.now(),
                method=method,
                path=path,
                query=scope.get("query_string", b"").decode("latin-1"),
                endpoint=endpoint,
                status=status_holder[0],
                body=SimState.clip(b"".join(body_parts)),
                fault=None if fault is None else fault.kind.value,
            )
        )

    @staticmethod
    async def _drain(receive: Receive) -> None:
        more = True
        while more:
            message = await receive()
            more = message["type"] == "http.request" and bool(message.get("more_body"))

    async def _answer_fault(
        self, rule: FaultRule, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response: Response
        if rule.kind is FaultKind.DROP:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"4096"), (b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": b"partial", "more_body": True})
            return  # uvicorn closes the connection: the client sees a dropped connection
        if rule.kind is FaultKind.TIMEOUT:
            await anyio.sleep(rule.timeout_s)
            response = self.responder.error_response(504, None)
        elif rule.kind is FaultKind.MALFORMED:
            response = self.responder.malformed_response()
        else:
            status = {FaultKind.HTTP_429: 429, FaultKind.HTTP_500: 500, FaultKind.HTTP_503: 503}[
                rule.kind
            ]
            response = self.responder.error_response(status, rule.retry_after)
        await response(scope, receive, send)
