"""The TD SYNNEX client against a small fake server over a real loopback socket.

The fake routes by path (POStatus, invoice query) and answers from a per-path script of steps:
canned XML with a status and headers, a dropped connection, a slow answer, or a huge stream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

import anyio
import httpx2
import pytest
from defusedxml.ElementTree import fromstring
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.tdsynnex import (
    AuthFailed,
    BadPayload,
    IpNotAllowed,
    RateLimited,
    TdSynnexClient,
    TdSynnexEndpoints,
    TdSynnexError,
    TransientError,
)
from orderbridge.domain.models import DistributorCode
from orderbridge.simulators._common import SimulatorServer

pytestmark = pytest.mark.anyio

STATUS_PATH = "/SynnexXML/POStatus"
INVOICE_PATH = "/webservice/invoice/query"
PASSWORD = "s3cr3t<&>Pa55"

ORDER_OK = b"""<?xml version="1.0" encoding="UTF-8"?>
<SynnexB2B><OrderStatusResponse><CustomerNumber>123456</CustomerNumber>
<PONumber>PO-1001</PONumber><Code>accepted</Code><Items><Item lineNumber="1"><Code>accepted</Code>
<OrderNumber>60045676</OrderNumber><OrderQuantity>3</OrderQuantity><ShipQuantity>0</ShipQuantity>
</Item></Items></OrderStatusResponse></SynnexB2B>"""
SERVER_ERROR = b"<SynnexB2B><errorMessage>ServerError</errorMessage></SynnexB2B>"
INVOICES_OK = b"""<SynnexB2B><InvoiceResponse><Invoice><InvoiceNumber>INV-1</InvoiceNumber>
<Summary><TotalInvoiceAmount>1,000.00</TotalInvoiceAmount></Summary></Invoice>
</InvoiceResponse></SynnexB2B>"""
INVOICE_NOT_FOUND = b"""<SynnexB2B><InvoiceResponse><ErrorCode>1</ErrorCode>
<ErrorReason>No invoice found</ErrorReason></InvoiceResponse></SynnexB2B>"""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Step:
    """One scripted answer."""

    status: int = 200
    body: bytes = ORDER_OK
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False
    stream_bytes: int = 0
    declare_length: bool = True


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class FakeTdSynnex:
    """Answers each path from its script, then from its default step."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.scripts: dict[str, list[Step]] = {STATUS_PATH: [], INVOICE_PATH: []}
        self.defaults = {STATUS_PATH: Step(), INVOICE_PATH: Step(body=INVOICES_OK)}
        self.app = Starlette(
            routes=[
                Route(STATUS_PATH, _Endpoint(self, STATUS_PATH), methods=["POST"]),
                Route(INVOICE_PATH, _Endpoint(self, INVOICE_PATH), methods=["POST"]),
            ]
        )

    def script(self, path: str, *steps: Step) -> None:
        self.scripts[path].extend(steps)

    def next_step(self, path: str) -> Step:
        queue = self.scripts[path]
        return queue.pop(0) if queue else self.defaults[path]

    def count(self, path: str) -> int:
        return sum(1 for r in self.received if r.path == path)


class _Endpoint:
    """A raw ASGI endpoint, so a step can drop the connection or stream without end."""

    def __init__(self, fake: FakeTdSynnex, path: str) -> None:
        self.fake = fake
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = bool(message.get("more_body"))
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.fake.received.append(Received(self.path, headers, body))
        step = self.fake.next_step(self.path)
        if step.delay_s:
            await anyio.sleep(step.delay_s)
        if step.drop:
            start = {"type": "http.response.start", "status": 200}
            await send({**start, "headers": [(b"content-length", b"4096")]})
            await send({"type": "http.response.body", "body": b"<Synnex", "more_body": True})
            return
        if step.stream_bytes:
            await _stream(send, step)
            return
        raw_headers = [(b"content-type", b"application/xml")]
        raw_headers += [(k.encode(), v.encode()) for k, v in step.headers.items()]
        raw_headers.append((b"content-length", str(len(step.body)).encode()))
        await send({"type": "http.response.start", "status": step.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": step.body})


async def _stream(send: Send, step: Step) -> None:
    chunk = b"<SynnexB2B>" + b" " * (1_000_000 - 11)
    headers = [(b"content-type", b"application/xml")]
    if step.declare_length:
        headers.append((b"content-length", str(step.stream_bytes).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    try:
        for _ in range(step.stream_bytes // len(chunk)):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    except OSError:
        return  # the client hung up, as it should


class CountingTransport(httpx2.AsyncBaseTransport):
    """A real HTTP transport that counts the body bytes the client actually pulled."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.bytes_read = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        response.stream = _CountingStream(response.stream, self)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class _CountingStream(httpx2.AsyncByteStream):
    def __init__(self, inner: httpx2.AsyncByteStream, owner: CountingTransport) -> None:
        self.inner = inner
        self.owner = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.owner.bytes_read += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def fake() -> FakeTdSynnex:
    return FakeTdSynnex()


@pytest.fixture
def server(fake: FakeTdSynnex) -> Iterator[SimulatorServer]:
    with SimulatorServer(fake.app) as running:
        yield running


FAST = RetryPolicy(attempts=3, initial_backoff_s=0.01, max_backoff_s=0.05, total_timeout_s=5.0)


class ClientOptions(TypedDict, total=False):
    """``TdSynnexClient`` settings a test may override."""

    password: SecretStr | str
    timeout_s: float
    max_body_bytes: int
    transport: httpx2.AsyncBaseTransport | None
    retry: RetryPolicy | None
    invoice_version: str


def make_client(server: SimulatorServer, **overrides: Unpack[ClientOptions]) -> TdSynnexClient:
    options: ClientOptions = {"password": SecretStr(PASSWORD), "retry": FAST, "timeout_s": 2.0}
    options.update(overrides)
    return TdSynnexClient(
        endpoints=TdSynnexEndpoints.at(server.url),
        customer_number="123456",
        user_id="api@reseller.example",
        **options,
    )


async def test_status_request_carries_credentials_po_and_content_type(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    async with make_client(server) as client:
        order = await client.get_order_status("PO-1001")

    assert order.code is DistributorCode.ACCEPTED
    assert order.lines[0].order_number == "60045676"
    (request,) = fake.received
    assert request.path == STATUS_PATH
    assert request.headers["content-type"] == "application/xml; charset=utf-8"
    root = fromstring(request.body)
    assert root.tag == "SynnexB2B"
    assert root.get("version") == "2.7"
    assert root.findtext("Credential/UserID") == "api@reseller.example"
    assert root.findtext("Credential/Password") == PASSWORD  # escaped on the wire, intact here
    assert root.findtext("OrderStatusRequest/CustomerNumber") == "123456"
    assert root.findtext("OrderStatusRequest/PONumber") == "PO-1001"
    assert b"&lt;&amp;&gt;" in request.body
    assert client.request_count == {"order_status": 1, "invoices": 0}


async def test_invoice_request_by_po_and_by_order_number(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    async with make_client(server, invoice_version="2.2") as client:
        (invoice,) = await client.get_invoices(po_number="PO-1001")
        await client.get_invoices(order_number="60045675")

    assert invoice.number == "INV-1"
    by_po, by_order = (fromstring(r.body) for r in fake.received)
    assert by_po.get("version") == "2.2"
    assert by_po.findtext("InvoiceRequest/PONumber") == "PO-1001"
    assert by_po.find("InvoiceRequest/OrderNumber") is None
    assert by_order.findtext("InvoiceRequest/OrderNumber") == "60045675"
    assert client.request_count == {"order_status": 0, "invoices": 2}


async def test_invoice_not_found_is_empty(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    fake.script(INVOICE_PATH, Step(body=INVOICE_NOT_FOUND))
    async with make_client(server) as client:
        assert await client.get_invoices(po_number="PO-404") == []


async def test_transient_body_error_is_retried(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    fake.script(STATUS_PATH, Step(body=SERVER_ERROR), Step(body=SERVER_ERROR))
    async with make_client(server) as client:
        order = await client.get_order_status("PO-1001")

    assert order.po_number == "PO-1001"
    assert fake.count(STATUS_PATH) == 3
    assert client.request_count["order_status"] == 3


async def test_5xx_until_attempts_run_out(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    fake.script(STATUS_PATH, *(Step(status=503, body=b"busy") for _ in range(5)))
    async with make_client(server) as client:
        with pytest.raises(TransientError, match="HTTP 503") as info:
            await client.get_order_status("PO-1001")

    assert info.value.po_number == "PO-1001"
    assert fake.count(STATUS_PATH) == 3


async def test_dropped_connection_is_retried(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    fake.script(STATUS_PATH, Step(drop=True))
    async with make_client(server) as client:
        order = await client.get_order_status("PO-1001")

    assert order.code is DistributorCode.ACCEPTED
    assert fake.count(STATUS_PATH) == 2


async def test_timeout_is_retried(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    fake.script(STATUS_PATH, Step(delay_s=0.6))
    async with make_client(server, timeout_s=0.2) as client:
        order = await client.get_order_status("PO-1001")

    assert order.code is DistributorCode.ACCEPTED
    assert fake.count(STATUS_PATH) == 2


async def test_timeouts_exhaust_into_transient_error(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    fake.script(STATUS_PATH, Step(delay_s=0.4), Step(delay_s=0.4))
    policy = RetryPolicy(
        attempts=2, initial_backoff_s=0.01, max_backoff_s=0.01, total_timeout_s=5.0
    )
    async with make_client(server, timeout_s=0.15, retry=policy) as client:
        with pytest.raises(TransientError, match=r"no answer .* within 0\.1"):
            await client.get_order_status("PO-1001")
    assert fake.count(STATUS_PATH) == 2


async def test_bad_credentials_are_not_retried(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    body = b"<SynnexB2B><errorMessage>Invalid password</errorMessage></SynnexB2B>"
    fake.script(STATUS_PATH, Step(body=body), Step(body=body))
    async with make_client(server) as client:
        with pytest.raises(AuthFailed, match="Check the customer number"):
            await client.get_order_status("PO-1001")
    assert fake.count(STATUS_PATH) == 1


async def test_http_403_with_ip_error_explains_the_allow_list(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    body = b"<SynnexB2B><errorMessage>IP Address Invalid</errorMessage></SynnexB2B>"
    fake.script(STATUS_PATH, Step(status=403, body=body))
    async with make_client(server) as client:
        with pytest.raises(IpNotAllowed, match="allow-list") as info:
            await client.get_order_status("PO-1001")
    assert info.value.po_number == "PO-1001"
    assert fake.count(STATUS_PATH) == 1


async def test_429_waits_for_retry_after(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    fake.script(STATUS_PATH, Step(status=429, body=b"", headers={"Retry-After": "0.3"}))
    async with make_client(server) as client:
        started = time.monotonic()
        await client.get_order_status("PO-1001")
        elapsed = time.monotonic() - started

    assert elapsed >= 0.3
    assert fake.count(STATUS_PATH) == 2


async def test_429_beyond_the_budget_is_raised_at_once(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    fake.script(STATUS_PATH, Step(status=429, body=b"", headers={"Retry-After": "120"}))
    async with make_client(server) as client:
        started = time.monotonic()
        with pytest.raises(RateLimited) as info:
            await client.get_order_status("PO-1001")

    assert time.monotonic() - started < 2.0
    assert info.value.retry_after == 120.0
    assert info.value.po_number == "PO-1001"
    assert fake.count(STATUS_PATH) == 1


async def test_html_page_is_bad_payload_not_retried(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    page = b"<!DOCTYPE html><html><body>Maintenance</body></html>"
    fake.script(STATUS_PATH, Step(body=page))
    async with make_client(server) as client:
        with pytest.raises(BadPayload, match="HTML page"):
            await client.get_order_status("PO-1001")
    assert fake.count(STATUS_PATH) == 1


async def test_declared_50_mb_body_is_refused_unread(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    fake.script(STATUS_PATH, Step(stream_bytes=50_000_000, declare_length=True))
    transport = CountingTransport()
    async with make_client(server, transport=transport, max_body_bytes=1_000_000) as client:
        with pytest.raises(BadPayload, match="50,000,000 bytes"):
            await client.get_order_status("PO-1001")
    assert transport.bytes_read == 0


async def test_streamed_50_mb_body_is_cut_off_at_the_cap(
    fake: FakeTdSynnex, server: SimulatorServer
) -> None:
    fake.script(STATUS_PATH, Step(stream_bytes=50_000_000, declare_length=False))
    transport = CountingTransport()
    async with make_client(server, transport=transport, max_body_bytes=1_000_000) as client:
        with pytest.raises(BadPayload, match="over the 1,000,000-byte limit"):
            await client.get_order_status("PO-1001")
    assert transport.bytes_read < 3_000_000


async def test_password_never_in_errors_or_logs(
    fake: FakeTdSynnex, server: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = (
        b"<SynnexB2B><errorMessage>Authentication failed</errorMessage><errorDetail>"
        b"bad login s3cr3t&lt;&amp;&gt;Pa55 for api@reseller.example</errorDetail></SynnexB2B>"
    )
    fake.script(STATUS_PATH, Step(status=500), Step(body=SERVER_ERROR), Step(body=echo))
    errors: list[TdSynnexError] = []
    async with make_client(server) as client:
        with pytest.raises(AuthFailed) as info:
            await client.get_order_status("PO-1001")
        errors.append(info.value)
        fake.script(STATUS_PATH, *(Step(status=502) for _ in range(3)))
        with pytest.raises(TransientError) as info2:
            await client.get_order_status("PO-1001")
        errors.append(info2.value)
        texts = [repr(client), caplog.text]

    assert "retrying" in caplog.text
    assert "***" in str(errors[0])
    for error in errors:
        texts += [str(error), repr(error), str(error.__cause__ or "")]
    for text in texts:
        assert PASSWORD not in text
        assert "s3cr3t" not in text


async def test_plain_string_password_works(fake: FakeTdSynnex, server: SimulatorServer) -> None:
    async with make_client(server, password="plain") as client:
        await client.get_order_status("PO-1001")
    assert fromstring(fake.received[0].body).findtext("Credential/Password") == "plain"
