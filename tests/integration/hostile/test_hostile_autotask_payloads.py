"""Broken Autotask answers: HTML for JSON, wrong types and missing fields for one PO."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome
from orderbridge.domain.memo import BLOCK_START
from tests.integration.hostile.hostile_cycles import (
    MOVER_PO,
    activity_log,
    assert_plain_words,
    clean_cycle,
    converges,
    hostile_cycle,
    recorded,
)
from tests.integration.hostile.hostile_interceptor import Answer, Rewrite
from tests.integration.hostile.hostile_upstreams import (
    HOSTILE_PO,
    HostileUpstreams,
    autotask_call,
    patch_for,
)

pytestmark = pytest.mark.anyio

MAINTENANCE_PAGE = b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>"


def edit_rows(edit: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    """A rewrite of a query answer that applies ``edit`` to each row (in place)."""

    def transform(body: bytes) -> bytes:
        payload = json.loads(body)
        for row in payload["items"]:
            edit(row)
        return json.dumps(payload).encode()

    return transform


async def test_html_instead_of_json_on_a_write_fails_that_order_only(
    upstreams: HostileUpstreams, database: Path
) -> None:
    po_id = upstreams.po(HOSTILE_PO)["id"]

    def arm() -> None:
        upstreams.tdsynnex.advance(HOSTILE_PO)  # so there is something to write
        upstreams.autotask_proxy.add(
            Answer(patch_for(po_id), MAINTENANCE_PAGE, content_type="text/html")
        )

    async with sync_services(upstreams.settings(database)) as services:
        failed, before = await hostile_cycle(services, upstreams, arm)
        assert_plain_words(failed.error, "Autotask", "not JSON")
        await converges(services, upstreams, before, advance=False)


async def test_a_write_whose_answer_is_lost_is_not_written_twice(
    upstreams: HostileUpstreams, database: Path
) -> None:
    po_id = upstreams.po(HOSTILE_PO)["id"]
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
        before = recorded(services, upstreams, HOSTILE_PO)
        upstreams.tdsynnex.advance(HOSTILE_PO)
        # Autotask applies the write, then the answer is replaced on its way back.
        upstreams.autotask_proxy.add(Rewrite(patch_for(po_id), lambda _: MAINTENANCE_PAGE))
        report, _ = await services.sync.run_once()
        failed = activity_log(services.store)[HOSTILE_PO]
        written = upstreams.snapshot()[HOSTILE_PO]
        assert report.outcome == "partial"
        assert failed.outcome is OrderOutcome.FAILED
        assert written != before.autotask, "the write reached Autotask"
        assert recorded(services, upstreams, HOSTILE_PO).history == before.history
        upstreams.calm()
        upstreams.reset_counters()
        healed = await clean_cycle(services)
        history = services.store.history("default", HOSTILE_PO)
    assert {o.po_number: o.outcome for o in healed.orders}[HOSTILE_PO] in (
        OrderOutcome.UPDATED,
        OrderOutcome.UNCHANGED,
    )
    # The PO's own fields were written before the answer was lost; only its items are left.
    assert not [
        r
        for r in upstreams.autotask.state.requests(endpoint="PurchaseOrders", limit=0)
        if r.method == "PATCH" and json.loads(r.body)["id"] == po_id
    ], "the PO was written twice"
    now = upstreams.snapshot()[HOSTILE_PO]
    assert {k: v for k, v in now.items() if k != "items"} == {
        k: v for k, v in written.items() if k != "items"
    }
    assert len(history) > len(before.history), "the change was recorded once it was confirmed"
    assert len({e.key for e in history}) == len(history)


async def test_an_html_listing_stops_the_run_and_loses_nothing(
    upstreams: HostileUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
        before = {po: recorded(services, upstreams, po) for po in (HOSTILE_PO, MOVER_PO)}
        upstreams.autotask_proxy.add(
            Answer(
                autotask_call("POST", "PurchaseOrders/query"),
                MAINTENANCE_PAGE,
                content_type="text/html",
            )
        )
        upstreams.reset_counters()
        report, _ = await services.sync.run_once()
        latest = services.store.runs("default", limit=1)[0]
        assert report.outcome == "failed"
        assert latest.outcome == "failed"
        assert_plain_words(latest.error, "Autotask", "PurchaseOrders", "not JSON")
        assert upstreams.tdsynnex_requests("POStatus") == 0
        assert upstreams.patches() == 0
        for po, kept in before.items():
            assert recorded(services, upstreams, po) == kept
        upstreams.calm()
        upstreams.tdsynnex.advance(MOVER_PO)
        healed = await clean_cycle(services)
    assert healed.updated == 1


CORRUPT_ROWS: dict[str, tuple[str, Callable[[dict[str, Any], int], None], tuple[str, ...]]] = {
    # name -> (query whose answer is corrupted, edit of the hostile PO's rows, words expected)
    "item quantity is text": (
        "PurchaseOrderItems/query",
        lambda row, po_id: row.update(quantity="five") if row["orderID"] == po_id else None,
        ("quantity", "five"),
    ),
    "item without id": (
        "PurchaseOrderItems/query",
        lambda row, po_id: row.pop("id") if row["orderID"] == po_id else None,
        ("id", "missing"),
    ),
    "PO id is null": (
        "PurchaseOrders/query",
        lambda row, po_id: row.update(id=None) if row["id"] == po_id else None,
        ("id", "null"),
    ),
}


@pytest.mark.parametrize("name", list(CORRUPT_ROWS))
async def test_a_corrupt_row_in_the_listing_skips_only_that_po(
    upstreams: HostileUpstreams, database: Path, name: str
) -> None:
    query, edit, words = CORRUPT_ROWS[name]
    po_id = upstreams.po(HOSTILE_PO)["id"]

    def arm() -> None:
        upstreams.autotask_proxy.add(
            Rewrite(autotask_call("POST", query), edit_rows(lambda row: edit(row, po_id)))
        )

    async with sync_services(upstreams.settings(database)) as services:
        failed, before = await hostile_cycle(services, upstreams, arm)
        assert_plain_words(failed.error, "Autotask", *words)
        assert upstreams.tdsynnex_requests("POStatus") == len(upstreams.snapshot()) - 1
        await converges(services, upstreams, before)


async def test_a_numeric_general_memo_is_kept_as_the_users_text(
    upstreams: HostileUpstreams, database: Path
) -> None:
    # Autotask's generalMemo is text; a number there is read as its digits (the mapping's
    # documented leniency) and kept above the status block, like any other user text.
    po_id = upstreams.po(HOSTILE_PO)["id"]
    upstreams.autotask_proxy.add(
        Rewrite(
            autotask_call("POST", "PurchaseOrders/query"),
            edit_rows(lambda row: row.update(generalMemo=4711) if row["id"] == po_id else None),
        )
    )
    async with sync_services(upstreams.settings(database)) as services:
        report = await clean_cycle(services)
    assert report.updated == report.monitored
    memo = upstreams.po(HOSTILE_PO)["generalMemo"]
    assert memo.startswith("4711\n\n" + BLOCK_START)
