"""What a cycle asks Autotask: the fields it names, how it pages, what a fresh process costs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import sync_services
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
