"""Serve an ASGI app with uvicorn on a real socket in a background thread (``BackgroundServer``),
and the socket and settings for serving inside a running loop (``bind``, ``uvicorn_config``).

The simulators and the dashboard both serve this way. The module imports nothing from
orderbridge, so every package that serves HTTP may use it without crossing a layer.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Self

import uvicorn

__all__ = ["BackgroundServer", "Running", "bind", "uvicorn_config"]


def bind(host: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket on ``host:port`` (IPv6 when the host has a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted connections of
    # sockets it recognises as TCP, and without it Nagle adds ~40 ms per kept-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def uvicorn_config(app: Any, *, log_level: str = "warning", graceful_s: int = 1) -> uvicorn.Config:
    """uvicorn settings for an app with no lifespan and no access log.

    X-Forwarded-Proto/For are trusted from a loopback reverse proxy only (uvicorn's default).
    """
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=graceful_s,
        backlog=2048,
    )


class Running:
    """A context manager over ``start`` and ``stop``: started on entry, stopped on exit."""

    def start(self) -> None:
        """Start; returns once running."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop and wait until stopped."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class BackgroundServer(Running):
    """Run an ASGI application with uvicorn on ``host:port`` until the context exits.

    ``port=0`` picks a free ephemeral port; ``url`` tells which. Example::

        with BackgroundServer(app) as server:
            httpx2.get(f"{server.url}/health")
    """

    what = "server"

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        graceful_s: int = 1,
        startup_timeout: float = 15.0,
    ) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._log_level = log_level
        self._graceful_s = graceful_s
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        """The bound TCP port (only valid once started)."""
        if self._socket is None:
            raise RuntimeError(f"the {self.what} is not running")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """Base URL of the running server, without a trailing slash."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Bind the socket and start serving; returns once the server accepts connections."""
        sock = self._socket = bind(self._host, self._port)
        config = uvicorn_config(self._app, log_level=self._log_level, graceful_s=self._graceful_s)
        server = self._server = uvicorn.Server(config)
        thread = self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=self.what, daemon=True
        )
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the {self.what} did not start on {self._host}:{self._port}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Ask the server to exit and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def serve_forever(self) -> None:
        """Start, then block until interrupted (used by the CLI)."""
        self.start()
        try:
            self.wait()
        finally:
            self.stop()

    def wait(self) -> None:
        """Block while the started server runs, until Ctrl-C (which is not re-raised)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass
