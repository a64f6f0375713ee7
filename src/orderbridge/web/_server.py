"""Serving the dashboard with uvicorn: in a background thread, or inside a running event loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import uvicorn

from orderbridge._serving import BackgroundServer, bind, uvicorn_config

__all__ = ["DashboardServer", "serve_dashboard"]


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (``orderbridge run``)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_dashboard(
    app: Any,
    host: str,
    port: int,
    stop: anyio.Event,
    on_ready: Callable[[int], None] | None = None,
) -> None:
    """Serve ``app`` on ``host:port`` until ``stop`` is set (inside the caller's event loop).

    ``on_ready`` is told the bound port (the real one when ``port`` is 0) once it listens.
    """
    sock = bind(host, port)
    if on_ready is not None:
        on_ready(int(sock.getsockname()[1]))
    server = _EmbeddedServer(uvicorn_config(app, graceful_s=2))

    async def stopper() -> None:
        await stop.wait()
        server.should_exit = True

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(stopper)
            await server.serve(sockets=[sock])
            group.cancel_scope.cancel()
    finally:
        sock.close()


class DashboardServer(BackgroundServer):
    """Run the dashboard in a background thread on ``host:port`` (0 picks a free port)."""

    what = "dashboard"

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(app, host=host, port=port, graceful_s=2)
