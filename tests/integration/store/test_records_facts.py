"""The per-order facts: kept on every save, filled by their migration, identical either way."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import insert, select, update

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.adapters.store._migrate import MIGRATIONS_DIR, upgrade
from orderbridge.adapters.store._statements import table_of
from orderbridge.adapters.store._tables import (
    OrderFactsRow,
    OrderStateRow,
    StatusHistoryRow,
    TenantRow,
)
from orderbridge.application.delivery_report import build_delivery_report, render_json
from orderbridge.domain.delivery import Dimension
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import OrderStatus

from .records_seed import T0, add_history, order_state, save

LIVE, BACKFILLED = "live", "backfilled"


def _story(po: str, day: int) -> list[tuple[OrderStatus, list[tuple[str, str]]]]:
    """An order's saves, oldest first: (status then, new history as (to status, key))."""
    return [
        (OrderStatus.SUBMITTED, [("Submitted", f"{po}:status:0:None->Submitted")]),
        (
            OrderStatus.BACKORDERED,
            [
                ("Received", f"{po}:status:1:Submitted->Received"),
                ("Backordered", f"{po}:eta:1:2026-03-{day + 4:02d}"),
            ],
        ),
        (
            OrderStatus.PARTIALLY_SHIPPED,
            [
                ("Backordered", f"{po}:eta:1:2026-03-{day + 7:02d}"),
                ("Partially shipped", f"{po}:status:2:Backordered->Partially shipped"),
                ("Partially shipped", f"{po}:tracking:1Z{po}"),
            ],
        ),
        (OrderStatus.DELIVERED, [("Delivered", f"{po}:status:3:Partially shipped->Delivered")]),
    ]


def _entries(po: str, start: int, steps: list[tuple[str, str]]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            po, T0 + timedelta(hours=12 * (start + i)), None, to, HistorySource.TDSYNNEX, "s", key
        )
        for i, (to, key) in enumerate(steps)
    ]


def _live(store: SqlStore, po: str, day: int) -> None:
    """Save the order step by step, as the sync loop records it over several cycles."""
    done = 0
    for status, steps in _story(po, day):
        state = order_state(po, status, at=T0 + timedelta(days=day))
        at = T0 + timedelta(hours=12 * done)
        store.save_order(
            LIVE,
            po,
            po_id=day,
            status=str(status),
            state=state.to_json(),
            fingerprint=state.fingerprint(),
            history=_entries(po, done, steps),
            checked_at=at,
        )
        done += len(steps)


def _backfilled_rows(po: str, day: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The same order's final state and whole history, as stored before the facts' migration."""
    final = order_state(po, OrderStatus.DELIVERED, at=T0 + timedelta(days=day))
    state = {
        "tenant": BACKFILLED,
        "po_number": po,
        "po_id": day,
        "status": str(final.status),
        "state": final.to_json(),
        "fingerprint": final.fingerprint(),
        "version": 4,
        "first_seen_at": T0,
        "updated_at": T0,
        "checked_at": T0,
        "archived": False,
    }
    steps = [step for _status, batch in _story(po, day) for step in batch]
    history = [
        {
            "tenant": BACKFILLED,
            "po_number": e.po_number,
            "at": e.at,
            "from_status": None,
            "to_status": e.to_status,
            "source": str(e.source),
            "summary": e.summary,
            "key": e.key,
            "recorded_at": e.at,
        }
        for e in _entries(po, 0, steps)
    ]
    return state, history


def _before_order_facts() -> str:
    """The revision just before the one that adds ``order_facts`` (whatever its number)."""
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    (facts,) = [r for r in scripts.walk_revisions() if r.path.endswith("_order_facts.py")]
    return str(facts.down_revision)


def _report(store: SqlStore, tenant: str, by: Dimension) -> str:
    out = io.StringIO()
    report = build_delivery_report(RecordsStore(store), by, tenant=tenant)
    render_json(report, out, {"since": None, "until": None})
    return out.getvalue()


def _facts(store: SqlStore, tenant: str) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(table_of(OrderFactsRow))
            .where(OrderFactsRow.tenant == tenant)
            .order_by(OrderFactsRow.po_number)
        )
        return [{**row._asdict(), "tenant": None} for row in rows]


def test_a_backfilled_store_reports_what_a_live_one_does(database_url: str) -> None:
    orders = {"PO-1": 1, "PO-2": 2, "PO-É": 3}
    with SqlStore(database_url) as store:
        upgrade(store.engine, _before_order_facts())
        with store.engine.begin() as connection:
            connection.execute(insert(TenantRow), [{"id": BACKFILLED, "created_at": T0}])
            for po, day in orders.items():
                state, history = _backfilled_rows(po, day)
                connection.execute(insert(OrderStateRow), [state])
                connection.execute(insert(StatusHistoryRow), history)
        store.migrate()
        for po, day in orders.items():
            _live(store, po, day)
        backfilled = _facts(store, BACKFILLED)
        assert len(backfilled) == len(orders)
        assert backfilled == _facts(store, LIVE)
        for by in Dimension:
            assert _report(store, BACKFILLED, by) == _report(store, LIVE, by)
        total = build_delivery_report(RecordsStore(store), Dimension.MONTH, tenant=LIVE).total()
        assert (total.orders, total.eta_slips, total.partial_rate) == (3, 3, 1.0)


def test_saving_and_unarchiving_keep_the_facts_current(store: SqlStore) -> None:
    save(store, "PO-1", OrderStatus.SHIPPED, at=T0)
    (before,) = RecordsStore(store).delivery_figures(DEFAULT_TENANT)
    assert not before.partial
    later = [("Partially shipped", "PO-1:status:1:Shipped->Partially shipped")]
    add_history(store, "PO-1", _entries("PO-1", 1, later), T0 + timedelta(days=1))
    (after,) = RecordsStore(store).delivery_figures(DEFAULT_TENANT)
    assert after.partial
    # An un-archive line is history too: the order's facts are worked out again with it.
    with store.engine.begin() as connection:
        connection.execute(update(OrderStateRow).values(archived=True))
        connection.execute(update(OrderFactsRow).values(partial=False))
    RecordsStore(store).unarchive(DEFAULT_TENANT, ["PO-1"], "test", T0 + timedelta(days=2))
    (back,) = RecordsStore(store).delivery_figures(DEFAULT_TENANT)
    assert back == after
