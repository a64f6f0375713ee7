"""Serve a simulator's ASGI app on a real loopback socket, in a background thread.

Tests, the demo and the benchmarks all talk to the simulators over real HTTP; this is the one
place that starts such a server. ``port=0`` picks a free ephemeral port; ``url`` tells which.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

__all__ = ["SimulatorServer"]


class SimulatorServer:
    """Run an ASGI application with uvicorn on ``host:port`` until the context exits.

    Example::

        with SimulatorServer(app) as server:
            httpx2.get(f"{server.url}/_sim/counters")
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        startup_timeout: float = 10.0,
    ) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._log_level = log_level
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        """The bound TCP port (only valid once started)."""
        if self._socket is None:
            raise RuntimeError("the simulator server is not running")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """Base URL of the running server, without a trailing slash."""
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        """Bind the socket and start serving; returns once the server accepts connections."""
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted connections of
        # sockets it recognises as TCP, and without it Nagle adds ~40 ms per kept-alive request.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self._host, self._port))
        sock.listen(2048)
        sock.setblocking(False)
        self._socket = sock
        config = uvicorn.Config(
            self._app,
            log_level=self._log_level,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            backlog=2048,
        )
        server = uvicorn.Server(config)
        self._server = server
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="simulator", daemon=True
        )
        self._thread = thread
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"simulator did not start on {self._host}:{self._port}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Ask the server to exit and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = None
        self._thread = None
        self._socket = None

    def serve_forever(self) -> None:
        """Block until interrupted (used by the CLI)."""
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

    def __enter__(self) -> SimulatorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
