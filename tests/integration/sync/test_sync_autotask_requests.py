"""What a cycle asks Autotask: the fields it names, how it pages, what a fresh process costs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import autotask_client, sync_services
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def no_server_error(upstreams: SimulatedUpstreams) -> None:
    """Move the demo's ServerError order on: its retries only slow these tests down."""
    upstreams.tdsynnex.advance("PO-10021")


def po_queries(upstreams: SimulatedUpstreams) -> list[dict[str, Any]]:
    """The bodies of every PurchaseOrders query the Autotask simulator received."""
    records = upstreams.autotask.state.requests(endpoint="PurchaseOrders", limit=0)
    return [json.loads(r.body) for r in records if r.method == "POST"]


async def test_po_number_field_id_names_id_once_in_include_fields(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    settings = upstreams.settings(database, po_number_field="id")
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
    assert report.monitored > 0
    (body,) = po_queries(upstreams)
    fields = [str(f).lower() for f in body["IncludeFields"]]
    assert fields.count("id") == 1
    assert len(fields) == len(set(fields))


@pytest.mark.parametrize("paging", ["id", "next_page_url"])
async def test_the_paging_setting_picks_how_queries_page(
    upstreams: SimulatedUpstreams, database: Path, paging: str
) -> None:
    settings = upstreams.settings(database, paging=paging)
    expected = sorted(po["id"] for po in upstreams.autotask.purchase_orders())
    async with autotask_client(settings) as client:
        rows = await client.query_all("PurchaseOrders", include_fields=["id"], max_records=10)
    assert sorted(row["id"] for row in rows) == expected
    bodies = po_queries(upstreams)
    assert len(bodies) == len(expected) // 10 + 1
    cursors = [c for body in bodies for c in body["filter"] if c.get("op") == "gt"]
    if paging == "id":
        assert len(cursors) == len(bodies) - 1  # every page after the first moves past an id
    else:
        assert not cursors
        assert all(body == bodies[0] for body in bodies)  # the same body, POSTed again
    upstreams.reset_counters()
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
    assert report.monitored == 24
    assert report.failed == 0
