"""The lean keep-alive transport (ADR 0052) against a scripted HTTP server on a loopback socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx2
import pytest

from orderbridge.adapters._keepalive import KeepAliveTransport

pytestmark = pytest.mark.anyio
Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {}), id="asyncio"),
        pytest.param(("asyncio", {"use_uvloop": True}), id="uvloop"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, bool]]:
    """The transport is asyncio's; under uvicorn (the dashboard's resync) it runs on uvloop."""
    backend: tuple[str, dict[str, bool]] = request.param
    return backend


class Server:
    """Answers each request with ``answer``; counts connections and requests."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                self.requests.append(head + await reader.readexactly(length))
                if not await self.answer(reader, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Answer], Awaitable[Server]]]:
    servers: list[asyncio.Server] = []

    async def start(answer: Answer) -> Server:
        server = Server(answer)
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(listening)
        port = listening.sockets[0].getsockname()[1]
        server.url = f"http://127.0.0.1:{port}/SynnexXML/POStatus"
        return server

    yield start
    for listening in servers:
        listening.close()


def reply(body: bytes, *, extra: bytes = b"", keep: bool = True) -> Answer:
    async def answer(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
            + extra
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        return keep

    return answer


async def test_sequential_requests_share_one_connection(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    server = await serve(reply(b"<ok/>"))
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        for n in range(5):
            answer = await client.post(server.url, content=f"<n>{n}</n>".encode())
            assert (answer.status_code, answer.content) == (200, b"<ok/>")
    assert server.connections == 1
    assert len(server.requests) == 5
    assert server.requests[0].startswith(b"POST /SynnexXML/POStatus HTTP/1.1\r\n")
    assert server.requests[0].endswith(b"\r\n\r\n<n>0</n>")
    assert b"host: 127.0.0.1:" in server.requests[0].lower()


async def test_a_connection_the_server_closed_is_not_reused(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    server = await serve(reply(b"<ok/>", keep=False))  # keep-alive announced, then closed
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        for _ in range(3):
            assert (await client.post(server.url, content=b"x")).content == b"<ok/>"
            await asyncio.sleep(0.05)  # the close reaches the client while idle
    assert server.connections == 3


async def test_connection_close_is_honoured(serve: Callable[..., Awaitable[Server]]) -> None:
    server = await serve(reply(b"<ok/>", extra=b"Connection: close\r\n"))
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        for _ in range(2):
            assert (await client.post(server.url, content=b"x")).content == b"<ok/>"
    assert server.connections == 2


async def test_chunked_and_unframed_bodies(serve: Callable[..., Awaitable[Server]]) -> None:
    async def chunked(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n<ok\r\n2\r\n/>\r\n0\r\n\r\n"
        )
        await writer.drain()
        return True

    async def until_close(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n<whole/>")
        await writer.drain()
        return False

    first, second = await serve(chunked), await serve(until_close)
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        assert (await client.post(first.url, content=b"x")).content == b"<ok/>"
        assert (await client.post(first.url, content=b"x")).content == b"<ok/>"
        assert (await client.post(second.url, content=b"x")).content == b"<whole/>"
    assert first.connections == 1


async def test_slow_answer_is_a_read_timeout(serve: Callable[..., Awaitable[Server]]) -> None:
    async def slow(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(1.0)
        return False

    server = await serve(slow)
    async with httpx2.AsyncClient(transport=KeepAliveTransport(), timeout=0.1) as client:
        with pytest.raises(httpx2.ReadTimeout):
            await client.post(server.url, content=b"x")


async def test_closed_without_an_answer_or_mid_body(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    async def hang_up(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        return False

    async def short(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<partial")
        await writer.drain()
        return False

    nothing, partial = await serve(hang_up), await serve(short)
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        with pytest.raises(httpx2.RemoteProtocolError, match="without sending a response"):
            await client.post(nothing.url, content=b"x")
        with pytest.raises(httpx2.RemoteProtocolError, match="complete message body"):
            await client.post(partial.url, content=b"x")


async def test_garbage_is_a_protocol_error(serve: Callable[..., Awaitable[Server]]) -> None:
    async def garbage(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await writer.drain()
        return False

    server = await serve(garbage)
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.post(server.url, content=b"x")


async def test_nobody_listening_is_a_connect_error() -> None:
    listening = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    listening.close()
    await listening.wait_closed()
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        with pytest.raises(httpx2.ConnectError):
            await client.post(f"http://127.0.0.1:{port}/", content=b"x")


async def test_an_abandoned_body_closes_its_connection(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    big = b"x" * 2_000_000
    server = await serve(reply(big))
    async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
        async with client.stream("POST", server.url, content=b"x") as answer:
            async for _ in answer.aiter_raw():
                break  # the caller stops reading: the rest is never buffered whole
        assert (await client.post(server.url, content=b"x")).content == big
    assert server.connections == 2
