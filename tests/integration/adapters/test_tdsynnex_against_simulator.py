"""The TD SYNNEX client against the project's TD SYNNEX simulator, for every lifecycle state."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.tdsynnex import (
    AuthFailed,
    BadPayload,
    TdSynnexClient,
    TdSynnexEndpoints,
    TransientError,
)
from orderbridge.domain.models import DistributorCode, DistributorOrder
from orderbridge.simulators._common import FaultKind, FaultRule, SimulatorServer
from orderbridge.simulators.scenario import ScenarioLine, ScenarioOrder, TdState
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator, Variant

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=3, initial_backoff_s=0.01, max_backoff_s=0.02, total_timeout_s=5.0)
LINES = [
    ScenarioLine(
        sku="3364043",
        mfg_pn="WVSF346",
        description="HD DOME CAMERA",
        quantity=3,
        unit_price=Decimal("395.00"),
        serialized=True,
    ),
    ScenarioLine(
        sku="5551234", mfg_pn="USW-LITE-8", description="SWITCH", quantity=1, unit_price=Decimal(89)
    ),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def po_for(state: TdState, variant: str = "") -> str:
    return f"PO-{state.value}{'-' + variant if variant else ''}"


@pytest.fixture(scope="module")
def simulator() -> TdSynnexSimulator:
    sim = TdSynnexSimulator(TdSynnexSimConfig())
    for state in TdState:
        split = 1 if state is TdState.PARTIALLY_SHIPPED else None
        sim.add_order(
            ScenarioOrder(po_number=po_for(state), state=state, lines=LINES, split_line=split)
        )
    for variant in Variant:
        for state in (TdState.INVOICED, TdState.NOT_FOUND, TdState.DELETED, TdState.ON_HOLD):
            sim.add_order(
                ScenarioOrder(
                    po_number=po_for(state, variant.value),
                    state=state,
                    lines=LINES,
                    variants=[variant.value],
                )
            )
    return sim


@pytest.fixture(scope="module")
def server(simulator: TdSynnexSimulator) -> Iterator[SimulatorServer]:
    with SimulatorServer(simulator.app) as running:
        yield running


def client_for(url: str, password: str = TdSynnexSimConfig().password) -> TdSynnexClient:
    return TdSynnexClient(
        endpoints=TdSynnexEndpoints.at(url),
        customer_number="123456",
        user_id="api@reseller.example",
        password=password,
        retry=FAST,
        timeout_s=5.0,
    )


def check_state(state: TdState, order: DistributorOrder) -> None:
    codes = {line.code for line in order.lines}
    open_lines = [line for line in order.lines if line.quantity_shipped < line.quantity_ordered]
    if state in (TdState.ACCEPTED, TdState.PROCESSING, TdState.ON_HOLD, TdState.BACKORDERED):
        assert order.code is DistributorCode.ACCEPTED
        assert all(line.quantity_shipped == 0 for line in order.lines)
    if state is TdState.PROCESSING:
        assert all(line.estimated_ship_date is not None for line in order.lines)
    if state is TdState.ON_HOLD:
        assert {line.ship_method for line in order.lines} <= {"HS", "NL"}
    if state is TdState.BACKORDERED:
        assert all(line.eta is not None for line in order.lines)
    if state is TdState.PARTIALLY_SHIPPED:
        assert DistributorCode.SHIPPED in codes
        assert open_lines
    if state in (TdState.SHIPPED, TdState.DELIVERED, TdState.INVOICED):
        assert not open_lines
        assert all(p.tracking_number for line in order.lines for p in line.packages)
        assert any(p.serials for line in order.lines for p in line.packages)
    if state is TdState.DELIVERED:
        assert all(p.delivered_on for line in order.lines for p in line.packages)
    if state is TdState.INVOICED:
        assert order.code is DistributorCode.INVOICED
    if state is TdState.DELETED:
        assert DistributorCode.DELETED in codes
    if state is TdState.REJECTED:
        assert order.code is DistributorCode.REJECTED
    if state is TdState.NOT_FOUND:
        assert order.code is DistributorCode.NOT_FOUND
        assert order.lines == ()


@pytest.mark.parametrize("state", [s for s in TdState if s is not TdState.SERVER_ERROR])
async def test_every_state_reads_into_the_domain(server: SimulatorServer, state: TdState) -> None:
    async with client_for(server.url) as client:
        order = await client.get_order_status(po_for(state))
        invoices = await client.get_invoices(po_number=po_for(state))

    assert order.po_number == po_for(state)
    assert order.responded_at is not None
    check_state(state, order)
    if state is TdState.INVOICED:
        assert invoices
        assert all(i.number and i.total is not None and i.tracking_numbers for i in invoices)
    else:
        assert invoices == []
    assert client.request_count == {"order_status": 1, "invoices": 1}


async def test_server_error_state_is_retried_then_raised(server: SimulatorServer) -> None:
    async with client_for(server.url) as client:
        with pytest.raises(TransientError, match="ServerError") as info:
            await client.get_order_status(po_for(TdState.SERVER_ERROR))

    assert info.value.po_number == po_for(TdState.SERVER_ERROR)
    assert client.request_count["order_status"] == FAST.attempts


@pytest.mark.parametrize("variant", list(Variant))
@pytest.mark.parametrize(
    "state", [TdState.INVOICED, TdState.NOT_FOUND, TdState.DELETED, TdState.ON_HOLD]
)
async def test_payload_variants_read_the_same(
    server: SimulatorServer, variant: Variant, state: TdState
) -> None:
    po = po_for(state, variant.value)
    async with client_for(server.url) as client:
        order = await client.get_order_status(po)
        invoices = await client.get_invoices(po_number=po)

    if variant is Variant.DELETED_LINE and state is TdState.DELETED:
        assert DistributorCode.DELETED in {line.code for line in order.lines}
    else:
        check_state(state, order)
    assert bool(invoices) is (state is TdState.INVOICED)
    for invoice in invoices:
        assert invoice.tracking_numbers


async def test_unknown_po_is_not_found(server: SimulatorServer) -> None:
    async with client_for(server.url) as client:
        order = await client.get_order_status("PO-NEVER-SEEN")
        invoices = await client.get_invoices(po_number="PO-NEVER-SEEN")

    assert order.code is DistributorCode.NOT_FOUND
    assert invoices == []


async def test_wrong_password_is_auth_failed_once(server: SimulatorServer) -> None:
    async with client_for(server.url, password="wrong") as client:
        with pytest.raises(AuthFailed):
            await client.get_order_status(po_for(TdState.SHIPPED))
    assert client.request_count["order_status"] == 1


async def test_ip_allow_list_rejection_explains_itself() -> None:
    sim = TdSynnexSimulator(TdSynnexSimConfig(allowed_ips=["192.0.2.10"]))
    with SimulatorServer(sim.app) as running:
        async with client_for(running.url) as client:
            with pytest.raises(AuthFailed, match="allow-list"):
                await client.get_order_status("PO-1")


@pytest.mark.parametrize("kind", [FaultKind.HTTP_500, FaultKind.HTTP_503, FaultKind.DROP])
async def test_injected_transient_faults_are_retried(
    simulator: TdSynnexSimulator, server: SimulatorServer, kind: FaultKind
) -> None:
    simulator.state.faults.add(FaultRule(kind=kind, endpoint="POStatus", remaining=2))
    async with client_for(server.url) as client:
        order = await client.get_order_status(po_for(TdState.SHIPPED))

    check_state(TdState.SHIPPED, order)
    assert client.request_count["order_status"] == 3


async def test_injected_429_is_retried(
    simulator: TdSynnexSimulator, server: SimulatorServer
) -> None:
    rule = FaultRule(kind=FaultKind.HTTP_429, endpoint="InvoiceQuery", remaining=1, retry_after=0)
    simulator.state.faults.add(rule)
    async with client_for(server.url) as client:
        invoices = await client.get_invoices(po_number=po_for(TdState.INVOICED))

    assert invoices
    assert client.request_count["invoices"] == 2


async def test_injected_malformed_body_is_bad_payload(
    simulator: TdSynnexSimulator, server: SimulatorServer
) -> None:
    simulator.state.faults.add(
        FaultRule(kind=FaultKind.MALFORMED, endpoint="POStatus", remaining=1)
    )
    async with client_for(server.url) as client:
        with pytest.raises(BadPayload):
            await client.get_order_status(po_for(TdState.SHIPPED))
    assert client.request_count["order_status"] == 1
