"""The order page's Autotask writes and notifications, and the fields that do not stick.

The read models run on SQLite and PostgreSQL; the pages and their JSON twins over a real socket.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from markupsafe import escape

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.application.doctor import FIX_FIELD_QUIRKS
from orderbridge.application.queries import WRITES_PER_PAGE, DashboardQueries
from orderbridge.application.runtime import RuntimeValues
from orderbridge.domain.history import RunOutcome, RunReport
from orderbridge.domain.records import AuditEntry

from .seed import HOSTILE, NOW
from .seed_records import seed_records, write
from .web_client import ADMIN_PASSWORD, csrf_of, dashboard, login

ESCAPED = str(escape(HOSTILE))


def test_an_order_shows_only_its_own_autotask_writes_newest_first(
    any_store: SqlStore, queries: DashboardQueries
) -> None:
    seed_records(any_store)
    detail = queries.order("PO-1006")
    assert detail is not None
    assert [w.field for w in detail.writes] == ["vendorInvoiceNumber", "memo", "shipDate"]
    assert detail.writes_total == 3
    refused = detail.writes[0]
    assert (refused.stuck, refused.item_id, refused.run_id) == (False, 77, 1)
    assert refused.error == f"refused: {HOSTILE}"
    assert (detail.writes[1].before, detail.writes[1].after) == ("old memo", HOSTILE)


def test_writes_are_paged_newest_first(any_store: SqlStore, queries: DashboardQueries) -> None:
    count = WRITES_PER_PAGE + 5
    entries: list[AuditEntry] = [
        write("PO-1001", f"field{n}", str(n), str(n + 1), minutes_ago=count - n)
        for n in range(count)
    ]
    RecordsStore(any_store).record_audit(DEFAULT_TENANT, entries)
    first = queries.order("PO-1001")
    second = queries.order("PO-1001", writes_page=2)
    assert first is not None
    assert second is not None
    assert (first.writes_total, first.writes_pages) == (count, 2)
    assert first.writes[0].field == f"field{count - 1}"
    assert len(first.writes) == WRITES_PER_PAGE
    assert [w.field for w in second.writes] == [f"field{n}" for n in range(4, -1, -1)]


def test_an_order_shows_who_was_notified_and_what_failed(
    any_store: SqlStore, queries: DashboardQueries
) -> None:
    seed_records(any_store)
    detail = queries.order("PO-1006")
    assert detail is not None
    outcomes = {(n.channel, n.status.value): n for n in detail.notifications}
    assert set(outcomes) == {("desk-email", "sent"), ("teams", "failed")}
    assert outcomes["desk-email", "sent"].recipients == ("desk@msp.example", "buyer@msp.example")
    assert outcomes["teams", "failed"].error == f"webhook said {HOSTILE}"
    quiet = queries.order("PO-1002")
    assert quiet is not None
    assert quiet.notifications == ()
    assert quiet.writes == ()


def test_the_overview_lists_fields_that_do_not_stick(
    any_store: SqlStore, queries: DashboardQueries
) -> None:
    values = _runtime(any_store)
    assert queries.overview(values).field_quirks == ()
    seed_records(any_store)
    quirks = queries.overview(values).field_quirks
    assert [(q.field, q.wanted, q.found) for q in quirks] == [
        ("purchaseOrder.shipDate", HOSTILE, "2026-11-30")
    ]


def _runtime(store: SqlStore) -> RuntimeValues:
    with dashboard(store) as (_, services, _actions):
        return services.runtime.load()


@pytest.fixture
def admin(store: SqlStore) -> Iterator[httpx2.Client]:
    seed_records(store)
    with dashboard(store) as (url, _, _actions), httpx2.Client(base_url=url) as client:
        assert login(client, "ada", ADMIN_PASSWORD).status_code == 303
        yield client


def test_the_order_page_shows_writes_and_notifications_escaped(admin: httpx2.Client) -> None:
    page = admin.get("/orders/PO-1006")
    assert page.status_code == 200
    html = page.text
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    writes = html[html.index('id="writes"') : html.index('id="notifications"')]
    assert writes.index("vendorInvoiceNumber") < writes.index("memo") < writes.index("shipDate")
    assert '<td class="value">old memo</td>' in writes
    assert f'<td class="value">{ESCAPED}</td>' in writes
    assert f"no: refused: {ESCAPED}" in writes
    assert "(item 77)" in writes
    assert '<a href="/activity/1">#1</a>' in writes
    assert "elsewhere" not in writes
    assert "enabled" not in writes
    notices = html[html.index('id="notifications"') :]
    assert "desk@msp.example, buyer@msp.example" in notices
    assert f"webhook said {ESCAPED} (after 1 tries)" in notices
    empty = admin.get("/orders/PO-1002").text
    assert "orderbridge has written nothing to this PO yet." in empty
    assert "No notification about this order." in empty


def test_the_json_twin_has_the_writes_and_notifications(admin: httpx2.Client) -> None:
    body = admin.get("/api/v1/orders/PO-1006").json()
    assert (body["writes_total"], body["writes_page"], body["writes_pages"]) == (3, 1, 1)
    assert body["writes"][0] == {
        "at": "2026-12-02T08:50:00Z",
        "field": "vendorInvoiceNumber",
        "before": None,
        "after": "INV-9",
        "item_id": 77,
        "run_id": 1,
        "accepted": False,
        "error": f"refused: {HOSTILE}",
    }
    sent = [n for n in body["notifications"] if n["status"] == "sent"]
    assert [(n["channel"], n["recipients"]) for n in sent] == [
        ("desk-email", ["desk@msp.example", "buyer@msp.example"])
    ]
    assert admin.get("/api/v1/orders/PO-1006", params={"writes_page": 2}).json()["writes"] == []


def test_the_order_page_and_its_json_twin_say_when_it_is_next_checked_and_why(
    store: SqlStore,
) -> None:
    run_id = store.start_run(DEFAULT_TENANT, NOW)
    store.finish_run(
        run_id,
        RunReport(
            NOW,
            NOW,
            RunOutcome.OK,
            monitored=6,
            checked=6,
            updated=0,
            unchanged=6,
            failed=0,
            skipped=0,
        ),
    )
    with dashboard(store) as (url, _, _actions), httpx2.Client(base_url=url) as client:
        assert login(client, "ada", ADMIN_PASSWORD).status_code == 303
        held = client.get("/orders/PO-1002").text  # on hold, checked at 09:00
        said = (
            "2026-12-02 15:00 UTC (on hold or backordered); checked by the cycle at "
            "2026-12-02 15:00 UTC (hourly, on the hour (UTC)) while orderbridge run runs"
        )
        assert f'<dd id="next-check">{said}</dd>' in held
        assert client.get("/api/v1/orders/PO-1002").json()["next_check"] == {
            "summary": said,
            "at": "2026-12-02T15:00:00Z",
            "reason": "on hold or backordered",
            "cycle_at": "2026-12-02T10:00:00Z",
            "sync_enabled": True,
            "checked_by_cycle_at": "2026-12-02T15:00:00Z",
        }
        switch = client.get("/settings")
        off = client.post("/settings/enabled", data={"csrf_token": csrf_of(switch.text)})
        assert off.status_code == 200, off.text
        body = client.get("/api/v1/orders/PO-1005").json()["next_check"]  # delivered
    assert body["summary"] == (
        "2026-12-03 09:00 UTC (delivered; waiting for the invoice); "
        "not scheduled: scheduled sync is off"
    )
    assert (body["cycle_at"], body["sync_enabled"]) == (None, False)


def test_the_overview_and_its_json_twin_show_fields_that_do_not_stick(
    admin: httpx2.Client,
) -> None:
    html = admin.get("/").text
    section = html[html.index('id="field-quirks"') :]
    assert "1</strong> field does not stick" in html
    assert "<td>purchaseOrder.shipDate</td>" in section
    assert f'<td class="value">{ESCAPED}</td>' in section
    assert "<script>window.__pwned" not in html
    assert "turn the field off under [mapping]" in section
    body = admin.get("/api/v1/overview").json()
    assert body["field_quirks"] == [
        {
            "field": "purchaseOrder.shipDate",
            "record": "PurchaseOrder",
            "wanted": HOSTILE,
            "found": "2026-11-30",
            "detected_at": "2026-12-02T09:00:00Z",
        }
    ]
    assert body["field_quirk_fix"] == FIX_FIELD_QUIRKS
    assert body["attention"] == 3
    assert body["settings"]["enabled"] == "true"


def test_the_overview_says_nothing_of_quirks_when_there_are_none(store: SqlStore) -> None:
    with dashboard(store) as (url, _, _actions), httpx2.Client(base_url=url) as client:
        assert login(client, "ada", ADMIN_PASSWORD).status_code == 303
        assert 'id="field-quirks"' not in client.get("/").text
        body = client.get("/api/v1/overview").json()
        assert (body["field_quirks"], body["field_quirk_fix"]) == ([], None)
        assert body["next_run"] is not None  # scheduled sync is on by default
