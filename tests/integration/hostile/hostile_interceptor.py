"""An ASGI wrapper that lets one order's traffic turn hostile while the simulator serves the rest.

Rules are checked in order for every request outside ``/_sim``; the first that matches decides:

- ``Answer``: the request never reaches the simulator; a canned (possibly streamed) body is sent,
  as a misbehaving proxy or a broken upstream would.
- ``Rewrite``: the simulator answers, then its body is transformed before it leaves (the status
  and content type are kept, the length is recomputed).

Everything else is passed through untouched, so the simulator's own counters and request log see
exactly the requests that reached it.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Answer", "Interceptor", "Request", "Rewrite"]


@dataclass(frozen=True, slots=True)
class Request:
    """What a rule can look at: the method, the path and the whole request body."""

    method: str
    path: str
    body: bytes


Match = Callable[[Request], bool]
Chunks = Callable[[], AsyncIterator[bytes]]


@dataclass
class Answer:
    """Answer matching requests without asking the simulator."""

    match: Match
    body: bytes | Chunks
    status: int = 200
    content_type: str = "application/xml"
    declared_length: int | None = None  # a Content-Length header for a streamed body
    served: int = 0


@dataclass
class Rewrite:
    """Let the simulator answer, then pass its body through ``transform``."""

    match: Match
    transform: Callable[[bytes], bytes]
    served: int = 0


Rule = Answer | Rewrite


@dataclass
class Interceptor:
    """ASGI app: the simulator's ``inner`` app behind a list of hostile rules."""

    inner: ASGIApp
    rules: list[Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, rule: Rule) -> Rule:
        """Put ``rule`` in force (after the ones already there)."""
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Back to a transparent proxy."""
        with self._lock:
            self.rules.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.inner(scope, receive, send)
            return
        body = await _read_body(receive)
        request = Request(scope["method"], scope["path"], body)
        with self._lock:
            rule = next((r for r in self.rules if r.match(request)), None)
            if rule is not None:
                rule.served += 1
        if isinstance(rule, Answer):
            await _send_answer(rule, send)
        elif isinstance(rule, Rewrite):
            await self._rewrite(rule, scope, body, send)
        else:
            await self.inner(scope, _replay(body), send)

    async def _rewrite(self, rule: Rewrite, scope: Scope, body: bytes, send: Send) -> None:
        start: Message = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.inner(scope, _replay(body), capture)
        new_body = rule.transform(b"".join(parts))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(new_body)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": new_body})


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _send_answer(rule: Answer, send: Send) -> None:
    headers = [(b"content-type", rule.content_type.encode())]
    if isinstance(rule.body, bytes):
        headers.append((b"content-length", str(len(rule.body)).encode()))
        await send({"type": "http.response.start", "status": rule.status, "headers": headers})
        await send({"type": "http.response.body", "body": rule.body})
        return
    if rule.declared_length is not None:
        headers.append((b"content-length", str(rule.declared_length).encode()))
    await send({"type": "http.response.start", "status": rule.status, "headers": headers})
    async for chunk in rule.body():
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
