"""What a cycle asks Autotask: the fields it names, how it pages, what a fresh process costs.

Request counts are read off the Autotask simulator's own counters.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import _autotask_client, sync_services, utc_now
from orderbridge.settings import Settings
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio

Clock = Callable[[], datetime]


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
    async with _autotask_client(settings) as client:
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


async def fresh_process(
    upstreams: SimulatedUpstreams, settings: Settings, *, clock: Clock = utc_now
) -> dict[str, dict[str, int]]:
    """One ``sync --once`` as a new process runs it; the Autotask requests it cost."""
    upstreams.reset_counters()
    async with sync_services(settings, clock=clock) as services:
        report, _ = await services.sync.run_once()
    assert report.failed == 0
    assert report.error is None
    assert report.monitored > 0
    counts: dict[str, dict[str, int]] = upstreams.autotask.state.counters()["requests"]
    return counts


METADATA = {
    "zoneInformation": {"GET": 1},
    "Companies": {"GET": 1, "POST": 1},  # company-type picklist, the vendor lookup
}
DATA = {
    "ThresholdInformation": {"GET": 1},
    "PurchaseOrders": {"POST": 1},
    "PurchaseOrderItems": {"POST": 1},
    "Products": {"POST": 1},
}
COLD = METADATA | DATA | {"PurchaseOrders": {"GET": 1, "POST": 1}}  # + the status picklist


async def test_a_second_fresh_process_asks_autotask_only_for_data(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    settings = upstreams.settings(database)
    await fresh_process(upstreams, settings)  # writes everything once
    assert await fresh_process(upstreams, settings) == DATA  # 4 requests, was 8
    later = datetime.now(UTC) + timedelta(seconds=settings.autotask.metadata_cache_s + 60)
    assert await fresh_process(upstreams, settings, clock=lambda: later) == COLD
    uncached = upstreams.settings(database, metadata_cache_s=0)
    assert await fresh_process(upstreams, uncached) == COLD


async def test_the_cache_holds_no_secret(upstreams: SimulatedUpstreams, database: Path) -> None:
    settings = upstreams.settings(database)
    await fresh_process(upstreams, settings)
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT key, value FROM upstream_cache").fetchall()
    assert len(rows) == 4  # the zone, two entities' fields, the vendor ids
    kept = json.dumps(rows)
    for secret in settings.secret_values():
        assert secret not in kept
    assert upstreams.autotask.config.username not in kept  # the zone key is a digest


async def test_a_picklist_choice_missing_from_the_cache_is_fetched_afresh(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    settings = upstreams.settings(database)
    await fresh_process(upstreams, settings)
    with sqlite3.connect(database) as connection:
        key, value = connection.execute(
            "SELECT key, value FROM upstream_cache WHERE key LIKE '%fields purchaseorders'"
        ).fetchone()
        fields = json.loads(value)
        for field in fields["fields"]:
            if field["name"] == "status":
                field["picklistValues"] = [
                    v for v in field["picklistValues"] if v["label"] != "Received Partial"
                ]
        connection.execute(
            "UPDATE upstream_cache SET value = ? WHERE key = ?", (json.dumps(fields), key)
        )
    counts = await fresh_process(upstreams, settings)
    assert counts["PurchaseOrders"] == {"GET": 1, "POST": 1}  # fetched again, once
    assert await fresh_process(upstreams, settings) == DATA  # and cached again
