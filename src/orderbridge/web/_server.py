"""Serving the dashboard with uvicorn: in a background thread, or inside a running event loop."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import anyio
import uvicorn

__all__ = ["DashboardServer", "serve_dashboard"]


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (``orderbridge run``)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _config(app: Any, *, proxy_headers: bool = True) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
        # X-Forwarded-Proto/For are trusted from the loopback reverse proxy only (the default).
        proxy_headers=proxy_headers,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(512)
    sock.setblocking(False)
    return sock


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
    sock = _bind(host, port)
    if on_ready is not None:
        on_ready(int(sock.getsockname()[1]))
    server = _EmbeddedServer(_config(app))

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


class DashboardServer:
    """Run the dashboard in a background thread on ``host:port`` (0 picks a free port)."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        if self._socket is None:
            raise RuntimeError("the dashboard server is not running")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._socket.getsockname()[1]}"

    def start(self) -> None:
        """Bind and serve; returns once connections are accepted."""
        self._socket = _bind(self._host, self._port)
        server = self._server = uvicorn.Server(_config(self._app))
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._socket]}, name="dashboard", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the dashboard did not start on {self._host}:{self._port}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def wait(self) -> None:
        """Block until interrupted (Ctrl-C)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass

    def __enter__(self) -> DashboardServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
