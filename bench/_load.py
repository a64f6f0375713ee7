"""Load generation for the simulator benchmark: timed request loops over HTTP or into an app.

A caller knows one endpoint: what to send next and whether an answer counts as a success. Over
HTTP each concurrent worker keeps one keep-alive connection; in-process calls go straight into
the ASGI app, without a socket, and only the time spent inside the app counts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx2

__all__ = ["Caller", "Rate", "asgi_rate", "http_rate"]


class Caller(Protocol):
    """What one worker sends to one endpoint, and how it checks the answer."""

    path: str
    headers: dict[str, str]

    def body(self) -> bytes:
        """The next request body."""
        ...

    def accept(self, status: int, content: bytes) -> bool:
        """Whether an answer counts as a success."""
        ...


@dataclass(frozen=True)
class Rate:
    """Requests completed in a timed run."""

    concurrency: int
    done: int
    failed: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Successful requests per second."""
        return self.done / self.seconds if self.seconds > 0 else 0.0


Step = Callable[[], Awaitable[bool]]


async def timed(steps: Sequence[Step], seconds: float) -> tuple[int, int, float]:
    """Run each step in a loop on its own task for ``seconds``; returns done, failed, elapsed."""
    done = failed = 0
    deadline = time.perf_counter() + seconds

    async def loop(step: Step) -> None:
        nonlocal done, failed
        while time.perf_counter() < deadline:
            if await step():
                done += 1
            else:
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(step) for step in steps))
    return done, failed, time.perf_counter() - started


async def http_rate(url: str, workers: list[Caller], seconds: float) -> Rate:
    """Successful requests per second with one keep-alive connection per worker."""
    concurrency = len(workers)
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=url, limits=limits, timeout=30.0) as client:

        def step_for(caller: Caller) -> Step:
            async def step() -> bool:
                answer = await client.post(
                    caller.path, content=caller.body(), headers=caller.headers
                )
                return caller.accept(answer.status_code, answer.content)

            return step

        steps = [step_for(caller) for caller in workers]
        await timed(steps, min(seconds, 0.3))  # warm-up: connections open, caches filled
        done, failed, elapsed = await timed(steps, seconds)
    return Rate(concurrency, done, failed, elapsed)


async def asgi_call(app: Any, caller: Caller) -> tuple[int, bytes]:
    """One request straight into an ASGI app, without a socket; returns status and body."""
    body = caller.body()
    headers = [(k.lower().encode(), v.encode()) for k, v in caller.headers.items()]
    headers += [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": caller.path,
        "raw_path": caller.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    status = [0]
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status[0], b"".join(chunks)


async def asgi_rate(app: Any, caller: Caller, seconds: float) -> Rate:
    """Requests per second of time spent inside the app, one at a time, no network."""
    busy = 0.0

    async def step() -> bool:
        nonlocal busy
        started = time.perf_counter()
        status, content = await asgi_call(app, caller)
        busy += time.perf_counter() - started  # the caller's own parsing is left out
        return caller.accept(status, content)

    done, failed, _ = await timed([step], seconds)
    return Rate(1, done, failed, busy)
