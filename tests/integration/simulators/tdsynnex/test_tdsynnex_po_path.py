"""``OrderStatusRequest`` posted to ``/SynnexXML/PO`` is answered like POStatus (UNCONFIRMED).

One published client posts its status requests to the PO-submit path. The simulator answers them
there as well; orderbridge keeps ``/SynnexXML/POStatus`` as its default and reads either answer
when ``tdsynnex.status_url`` points at the other path.
"""

from __future__ import annotations

from xml.etree.ElementTree import tostring

import httpx2
import pytest

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.tdsynnex import (
    AuthFailed,
    TdSynnexClient,
    TdSynnexEndpoints,
)
from orderbridge.domain.models import DistributorCode
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.scenario import TdState
from orderbridge.simulators.tdsynnex import TdSynnexSimulator
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    CUSTOMER,
    PASSWORD,
    USER,
    credential,
    order,
    parse,
    post_xml,
    status_request,
    text,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _without_timing(response: httpx2.Response) -> bytes:
    root = parse(response)
    answer = root.find("OrderStatusResponse")
    assert answer is not None
    elapsed = answer.find("ResponseElapsedTime")
    assert elapsed is not None
    answer.remove(elapsed)
    return tostring(root)


def test_a_status_request_on_the_po_path_gets_the_same_answer(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-7", TdState.SHIPPED))

    on_po = post_xml(client, "/SynnexXML/PO", status_request("PO-7"))
    on_status = post_xml(client, "/SynnexXML/POStatus", status_request("PO-7"))

    assert _without_timing(on_po) == _without_timing(on_status)
    answer = parse(on_po).find("OrderStatusResponse")
    assert answer is not None
    assert text(answer, "Code") == "shipped"


def test_the_po_path_checks_credentials_and_the_po_number(client: httpx2.Client) -> None:
    refused = parse(post_xml(client, "/SynnexXML/PO", status_request("PO-7", password="x")))
    no_po = (
        f"<SynnexB2B>{credential(USER, PASSWORD)}<OrderStatusRequest>"
        f"<CustomerNumber>{CUSTOMER}</CustomerNumber></OrderStatusRequest></SynnexB2B>"
    ).encode()
    incomplete = parse(post_xml(client, "/SynnexXML/PO", no_po))
    unknown = parse(post_xml(client, "/SynnexXML/PO", status_request("PO-NONE")))

    assert text(refused, "errorMessage") == "Login Failed"
    assert text(incomplete, "errorMessage") == "IncompleteXML01"
    assert text(unknown, "OrderStatusResponse/Code") == "notFound"


def test_the_po_path_counts_under_its_own_endpoint_name(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    post_xml(client, "/SynnexXML/PO", status_request("PO-7"))
    counted = client.get("/_sim/counters").json()["requests"]
    assert counted == {"PO": {"POST": 1}}


@pytest.mark.anyio
async def test_orderbridge_reads_status_from_the_po_path_when_configured(
    sim: TdSynnexSimulator, server: SimulatorServer
) -> None:
    sim.add_order(order("PO-8", TdState.INVOICED))
    endpoints = TdSynnexEndpoints(
        status_url=f"{server.url}/SynnexXML/PO",
        invoice_url=f"{server.url}/webservice/invoice/query",
    )
    fast = RetryPolicy(attempts=1, total_timeout_s=5.0)
    good = TdSynnexClient(
        endpoints=endpoints, customer_number=CUSTOMER, user_id=USER, password=PASSWORD, retry=fast
    )
    bad = TdSynnexClient(
        endpoints=endpoints, customer_number=CUSTOMER, user_id=USER, password="x", retry=fast
    )
    async with good, bad:
        distributor_order = await good.get_order_status("PO-8")
        with pytest.raises(AuthFailed):
            await bad.get_order_status("PO-8")

    assert distributor_order.code is DistributorCode.INVOICED
    assert len(distributor_order.lines) == 2
    assert {r.endpoint for r in sim.state.requests()} == {"PO"}
