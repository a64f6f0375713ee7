"""A lean HTTP/1.1 transport for many small request/answer pairs over keep-alive connections.

``httpx2``'s default transport (httpcore2) costs about 0.6 ms of CPU per request on a small
machine: its pool checks every pooled connection's socket on each request, and the h11 state
machine and the anyio stream layers are pure Python. The TD SYNNEX client sends one small POST
per order checked, so that overhead was most of its CPU (ADR 0052). This transport keeps the
``httpx2.AsyncClient`` in front of it, so headers, redirects policy, content decoding and
exceptions stay ``httpx2``'s; only the bytes on the wire are handled here:

- one asyncio protocol per connection, parsing answers with ``httptools`` (compiled, and already
  a dependency for uvicorn); a connection the server closes is known closed the moment the event
  loop sees it, so a stale keep-alive connection is never handed out and nothing is polled;
- idle connections are kept per origin, last used first, at most ``max_idle`` of them and for at
  most ``keepalive_expiry`` seconds (``httpx2``'s defaults: 20 and 5 s);
- the request's ``timeout`` extension is honoured as ``httpx2`` does: ``connect`` for opening a
  connection (TLS included), ``write`` for handing the request over, ``read`` for each wait for
  answer bytes; each raises the matching ``httpx2`` timeout exception;
- failures raise ``httpx2``'s transport errors: ``ConnectError``, ``WriteError``, ``ReadError``,
  ``RemoteProtocolError`` (closed early, or not HTTP), so callers map them as before;
- a body is read as it arrives; the connection stops reading while ``_HIGH_WATER`` bytes wait
  for the caller, so abandoning a huge answer does not buffer it;
- a connection goes back to the pool only when its answer was read to the end and both sides
  allow keep-alive; anything else (an error, a cancelled or abandoned read) closes it.

It speaks plain HTTP/1.1 requests with bodies (what the TD SYNNEX client sends): no HTTP/2, no
upgrades, and no HEAD (whose answer announces a length it does not send). Proxies are not
handled here: ``httpx2.AsyncClient`` still routes a proxied URL (``HTTPS_PROXY``
and friends) through its own proxy transport, so only direct connections come this way.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import cast

import httptools
import httpx2

__all__ = ["KeepAliveTransport"]

_HIGH_WATER = 256 * 1024  # answer bytes buffered before the connection stops reading
_Origin = tuple[str, str, int]


class KeepAliveTransport(httpx2.AsyncBaseTransport):
    """Direct HTTP/1.1 connections, kept alive and reused last-used-first (see the module)."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_idle: int = 20,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._ssl_context = ssl_context
        self._max_idle = max_idle
        self._expiry = keepalive_expiry
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._closed = False

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request`` on an idle or new connection; the answer's body streams."""
        if self._closed:
            raise RuntimeError("the transport is closed")
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx2.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        port = url.port or (443 if scheme == "https" else 80)
        origin = (scheme, url.host, port)
        payload = _request_bytes(request, await request.aread())
        connection = self._reuse(origin) or await self._connect(origin, timeouts.get("connect"))
        try:
            await connection.send(payload, timeouts.get("write"))
            await connection.read_head(timeouts.get("read"))
        except BaseException:
            connection.close()
            self._open.discard(connection)
            raise
        return httpx2.Response(
            connection.status_code,
            headers=connection.headers,
            stream=_Body(self, origin, connection, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": connection.reason},
        )

    async def aclose(self) -> None:
        """Close every connection, idle or in use."""
        self._closed = True
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()

    def _reuse(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if not connection.lost and now - connection.idle_since <= self._expiry:
                return connection
            connection.close()
            self._open.discard(connection)
        return None

    async def _connect(self, origin: _Origin, within_s: float | None) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        tls = self._tls_context() if scheme == "https" else None
        try:
            async with asyncio.timeout(within_s):
                _, connection = await loop.create_connection(
                    lambda: _Connection(loop),
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                )
        except TimeoutError:
            raise httpx2.ConnectTimeout(
                f"no connection to {host}:{port} within {within_s}s"
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx2.ConnectError(str(exc) or type(exc).__name__) from exc
        self._open.add(connection)
        return connection

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx2.create_ssl_context()
        return self._ssl_context

    def _release(self, origin: _Origin, connection: _Connection) -> None:
        """Take a connection back after its answer was read (or close it)."""
        idle = self._idle.setdefault(origin, [])
        if self._closed or not connection.reusable or len(idle) >= self._max_idle:
            connection.close()
            self._open.discard(connection)
            return
        connection.reset()
        idle.append(connection)


class _Body(httpx2.AsyncByteStream):
    """An answer's body as it arrives; closing it returns or closes the connection."""

    def __init__(
        self,
        owner: KeepAliveTransport,
        origin: _Origin,
        connection: _Connection,
        timeout: float | None,
    ) -> None:
        self._owner = owner
        self._origin = origin
        self._connection = connection
        self._timeout = timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while True:
            chunk = await connection.next_chunk(self._timeout)
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        if self._done:
            return
        self._done = True
        connection = self._connection
        if connection.complete:
            self._owner._release(self._origin, connection)
        else:
            connection.close()
            self._owner._open.discard(connection)


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: writes requests, parses answers (one at a time)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self.lost = False
        self.idle_since = 0.0
        self.reset()

    # -- state of the current exchange ---------------------------------------------------------

    def reset(self) -> None:
        """Forget the last exchange (the connection is idle again)."""
        self._parser = httptools.HttpResponseParser(self)
        self.status_code = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self._head = False
        self.complete = False
        self._keep_alive = False
        self._framed = False  # the body's end is known (length or chunks), not the close
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._error: httpx2.TransportError | None = None
        self.idle_since = time.monotonic()

    @property
    def reusable(self) -> bool:
        """Whether another request may be sent on this connection."""
        return self.complete and self._keep_alive and not self.lost and self._error is None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.lost = True
        if self._transport is not None:
            self._transport.close()

    async def send(self, payload: bytes, within_s: float | None) -> None:
        """Hand the request over, waiting (up to ``within_s``) while the socket is full."""
        if self.lost or self._transport is None:
            raise httpx2.WriteError("the connection was closed before the request was sent")
        self._transport.write(payload)
        if self._writable is not None:
            try:
                async with asyncio.timeout(within_s):
                    await self._writable
            except TimeoutError:
                raise httpx2.WriteTimeout(f"the request was not sent within {within_s}s") from None
        if self._error is not None:
            raise self._error

    async def read_head(self, within_s: float | None) -> None:
        """Wait for the answer's status line and headers."""
        while not self._head:
            await self._wait(within_s)

    async def next_chunk(self, within_s: float | None) -> bytes | None:
        """The next piece of the body, or None at its end."""
        while not self._chunks:
            if self.complete:
                return None
            await self._wait(within_s)
        chunk = self._chunks.popleft()
        self._buffered -= len(chunk)
        if self._paused and self._buffered < _HIGH_WATER and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        return chunk

    async def _wait(self, within_s: float | None) -> None:
        if self._error is not None:
            raise self._error
        if self.lost:
            self._closed_early()
            if self._error is not None:
                raise self._error
            return
        waiter = self._waiter = self._loop.create_future()
        try:
            async with asyncio.timeout(within_s):
                await waiter
        except TimeoutError:
            raise httpx2.ReadTimeout(f"no answer bytes within {within_s}s") from None
        finally:
            self._waiter = None
        if self._error is not None:
            raise self._error

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _closed_early(self) -> None:
        """The server closed the connection: the end of an unframed body, or an error."""
        if self.complete:
            return
        if self._head and not self._framed:
            self.complete = True  # the body ran until the close (no length, no chunks)
            self._keep_alive = False
        elif self._error is None:
            text = (
                "Server disconnected without sending a response."
                if not self._head
                else "peer closed connection without sending complete message body"
            )
            self._error = httpx2.RemoteProtocolError(text)

    # -- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's is not an ``asyncio.Transport`` subclass, but has its API).
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._error = httpx2.RemoteProtocolError("the server switched protocols")
            self.close()
        except httptools.HttpParserError as exc:
            self._error = httpx2.RemoteProtocolError(f"the answer is not valid HTTP ({exc})")
            self.close()
        if self._buffered >= _HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self.lost = True
        self._closed_early()
        self._wake()
        return None  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if exc is not None and self._error is None and not self.complete:
            self._error = httpx2.ReadError(str(exc) or type(exc).__name__)
        self._closed_early()
        self._wake()
        writable = self._writable
        if writable is not None and not writable.done():
            writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = self._loop.create_future()

    def resume_writing(self) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    # -- httptools callbacks -------------------------------------------------------------------

    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status_code = self._parser.get_status_code()
        self._keep_alive = self._parser.should_keep_alive()
        self._framed = any(
            name.lower() in (b"content-length", b"transfer-encoding") for name, _ in self.headers
        )
        self._head = True

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)

    def on_message_complete(self) -> None:
        self.complete = True


def _request_bytes(request: httpx2.Request, body: bytes) -> bytes:
    """The request as sent: request line, headers as given, then the body."""
    url = request.url
    lines = [request.method.encode("ascii"), b" ", url.raw_path, b" HTTP/1.1\r\n"]
    chunked = False
    for name, value in request.headers.raw:
        if name.lower() == b"transfer-encoding" and value.lower() == b"chunked":
            chunked = True
        lines += (name, b": ", value, b"\r\n")
    lines.append(b"\r\n")
    if chunked:
        if body:
            lines += (f"{len(body):x}".encode("ascii"), b"\r\n", body, b"\r\n")
        lines.append(b"0\r\n\r\n")
    else:
        lines.append(body)
    return b"".join(lines)
