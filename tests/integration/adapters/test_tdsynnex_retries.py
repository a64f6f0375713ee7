"""Which TD SYNNEX failures are retried, and how the client counts them, over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.tdsynnex import (
    AuthFailed,
    TdSynnexClient,
    TdSynnexEndpoints,
    TransientError,
)
from orderbridge.domain.models import DistributorCode
from orderbridge.simulators._common import FaultKind, FaultRule, SimulatorServer
from orderbridge.simulators.scenario import ScenarioLine, ScenarioOrder, TdState
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=3, initial_backoff_s=0.01, max_backoff_s=0.02, total_timeout_s=5.0)
STATUS_PATH = "/SynnexXML/POStatus"
ORDER_OK = b"""<?xml version="1.0" encoding="UTF-8"?>
<SynnexB2B><OrderStatusResponse><CustomerNumber>123456</CustomerNumber>
<PONumber>PO-1</PONumber><Code>accepted</Code><Items><Item lineNumber="1"><Code>accepted</Code>
<OrderNumber>60045676</OrderNumber><OrderQuantity>3</OrderQuantity><ShipQuantity>0</ShipQuantity>
</Item></Items></OrderStatusResponse></SynnexB2B>"""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class ScriptedTdSynnex:
    """Answers POStatus from a queue of (status, body) pairs, then with a good order."""

    def __init__(self) -> None:
        self.queue: list[tuple[int, bytes]] = []
        self.received = 0
        self.app = Starlette(routes=[Route(STATUS_PATH, self.answer, methods=["POST"])])

    async def answer(self, request: Request) -> Response:
        await request.body()
        self.received += 1
        status, body = self.queue.pop(0) if self.queue else (200, ORDER_OK)
        return Response(body, status_code=status, media_type="application/xml")


@pytest.fixture
def fake() -> Iterator[tuple[ScriptedTdSynnex, str]]:
    scripted = ScriptedTdSynnex()
    with SimulatorServer(scripted.app) as server:
        yield scripted, server.url


def _client(url: str) -> TdSynnexClient:
    return TdSynnexClient(
        endpoints=TdSynnexEndpoints.at(url),
        customer_number="123456",
        user_id="api@reseller.example",
        password="fake-password",
        retry=FAST,
        timeout_s=2.0,
    )


def _error(text: str) -> bytes:
    return f"<SynnexB2B><errorMessage>{text}</errorMessage></SynnexB2B>".encode()


@pytest.mark.parametrize(
    "text", ["ServerError", "PO_TIMEOUT", "DatabaseIssue", "Internal API Fault"]
)
async def test_transient_error_texts_are_retried_and_counted(
    fake: tuple[ScriptedTdSynnex, str], text: str
) -> None:
    scripted, url = fake
    scripted.queue = [(200, _error(text)), (200, _error(text))]
    async with _client(url) as client:
        order = await client.get_order_status("PO-1")
        stats = client.stats
    assert order.code is DistributorCode.ACCEPTED
    assert scripted.received == 3
    assert stats.requests == {"order_status": 3, "invoices": 0}
    assert stats.retries == {"order_status": 2, "invoices": 0}
    assert stats.faults == {"transient_reply": 2}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, _error("IP Address Invalid")),
        (200, _error("Invalid password")),
        (401, b""),
        (403, b"<html>Forbidden</html>"),
    ],
)
async def test_auth_and_allow_list_refusals_are_never_retried(
    fake: tuple[ScriptedTdSynnex, str], status: int, body: bytes
) -> None:
    scripted, url = fake
    scripted.queue = [(status, body)] * 3
    async with _client(url) as client:
        with pytest.raises(AuthFailed):
            await client.get_order_status("PO-1")
        stats = client.stats
    assert scripted.received == 1
    assert stats.retries["order_status"] == 0
    assert stats.faults == {"auth": 1}


async def test_5xx_until_the_attempts_run_out_is_counted_per_attempt(
    fake: tuple[ScriptedTdSynnex, str],
) -> None:
    scripted, url = fake
    scripted.queue = [(502, b"bad gateway")] * 5
    async with _client(url) as client:
        with pytest.raises(TransientError, match="HTTP 502"):
            await client.get_order_status("PO-1")
        stats = client.stats
    assert scripted.received == FAST.attempts
    assert stats.faults == {"http_5xx": FAST.attempts}
    assert stats.retries["order_status"] == FAST.attempts - 1
    assert stats.to_json()["faults_by_endpoint"] == {"order_status": {"http_5xx": 3}}


@pytest.fixture(scope="module")
def simulator() -> Iterator[tuple[TdSynnexSimulator, str]]:
    sim = TdSynnexSimulator(TdSynnexSimConfig())
    line = ScenarioLine(
        sku="5551234", mfg_pn="USW-LITE-8", description="SWITCH", quantity=1, unit_price=89
    )
    sim.add_order(ScenarioOrder(po_number="PO-SHIPPED", state=TdState.SHIPPED, lines=[line]))
    with SimulatorServer(sim.app) as server:
        yield sim, server.url


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (FaultKind.HTTP_429, "http_429"),
        (FaultKind.HTTP_503, "http_5xx"),
        (FaultKind.DROP, "dropped"),
        (FaultKind.TIMEOUT, "timeout"),
    ],
)
async def test_stats_match_the_simulators_fault_counters(
    simulator: tuple[TdSynnexSimulator, str], fault: FaultKind, kind: str
) -> None:
    sim, url = simulator
    sim.state.reset_observations()
    sim.state.faults.add(
        FaultRule(kind=fault, endpoint="POStatus", remaining=1, retry_after=0, timeout_s=1.0)
    )
    client = TdSynnexClient(
        endpoints=TdSynnexEndpoints.at(url),
        customer_number="123456",
        user_id="api@reseller.example",
        password=TdSynnexSimConfig().password,
        retry=FAST,
        timeout_s=0.5,
    )
    async with client:
        order = await client.get_order_status("PO-SHIPPED")
        stats = client.stats
    assert order.po_number == "PO-SHIPPED"
    assert sim.state.counters()["faults"] == {"POStatus": {fault.value: 1}}
    assert stats.faults == {kind: 1}
    assert stats.retries["order_status"] == 1
    assert stats.requests["order_status"] == sim.state.counters()["total"]
