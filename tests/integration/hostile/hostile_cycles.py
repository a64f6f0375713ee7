"""The cycle protocol every hostile-input test follows, and the checks it makes.

1. a clean cycle records every order;
2. another order moves on at TD SYNNEX, then one order's traffic turns hostile and a cycle runs:
   that order fails with words a user can act on, nothing is written to Autotask for it, its
   recorded state and history stay exactly as they were, and every other order still syncs;
3. the traffic calms down and the order moves on: the next cycle updates it once, its history
   grows without losing or repeating an entry, and a further cycle writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orderbridge.adapters.store import SqlStore
from orderbridge.bootstrap import SyncServices
from orderbridge.domain.history import HistoryEntry, OrderOutcome, OrderReport, RunReport
from tests.integration.hostile.hostile_upstreams import (
    HOSTILE_PO,
    OTHER_POS,
    HostileUpstreams,
    patched_po_ids,
)

__all__ = [
    "MOVER_PO",
    "Recorded",
    "activity_log",
    "assert_plain_words",
    "clean_cycle",
    "converges",
    "hostile_cycle",
    "recorded",
]

MOVER_PO = OTHER_POS[0]  # moves on at TD SYNNEX during the hostile cycle: it must still sync

# What leaks when an exception or a bytes object is shown instead of a message.
_NOT_WORDS = ("Traceback", "<class", "object at 0x", "b'", 'b"', "\\x", "Error(", "None")


@dataclass(frozen=True)
class Recorded:
    """Everything kept about one order: its store row, its history and its Autotask fields."""

    row: tuple[Any, ...] | None
    history: list[HistoryEntry]
    autotask: dict[str, Any]


def recorded(services: SyncServices, upstreams: HostileUpstreams, po_number: str) -> Recorded:
    """What the store and Autotask hold about ``po_number`` right now."""
    stored = services.store.load_state("default", po_number)
    row = (
        None
        if stored is None
        else (stored.status, stored.state, stored.fingerprint, stored.updated_at)
    )
    return Recorded(
        row,
        services.store.history("default", po_number),
        upstreams.snapshot()[po_number],
    )


def activity_log(store: SqlStore) -> dict[str, OrderReport]:
    """The per-order lines of the latest run, as the store kept them, by PO number."""
    latest = store.runs("default", limit=1)[0]
    run = store.run(latest.id)
    assert run is not None
    return {order.po_number: order for order in run.orders}


def assert_plain_words(text: str | None, *words: str) -> None:
    """``text`` contains every one of ``words`` and nothing that looks like a Python repr."""
    assert text, "no message was recorded"
    for word in words:
        assert word in text, f"{word!r} missing from {text!r}"
    for leak in _NOT_WORDS:
        assert leak not in text, f"{leak!r} in {text!r}"
    assert "\n" not in text.strip(), f"a one-line message was expected: {text!r}"


async def clean_cycle(services: SyncServices) -> RunReport:
    """A cycle in which every order must sync."""
    report, _ = await services.sync.run_once()
    assert report.outcome == "ok", (report.error, [o.error for o in report.orders if o.error])
    return report


async def hostile_cycle(
    services: SyncServices,
    upstreams: HostileUpstreams,
    arm: Callable[[], object],
    *,
    target: str = HOSTILE_PO,
) -> tuple[OrderReport, Recorded]:
    """Steps 1 and 2 of the protocol; returns the target's activity-log line and its record."""
    await clean_cycle(services)
    before = recorded(services, upstreams, target)
    assert before.row is not None
    assert before.history, "the clean cycle recorded history for the target"
    upstreams.tdsynnex.advance(MOVER_PO)
    arm()
    upstreams.reset_counters()
    report, _ = await services.sync.run_once()
    logged = activity_log(services.store)
    assert report.outcome == "partial", report.error
    assert report.failed == 1
    assert logged[target].outcome is OrderOutcome.FAILED
    assert logged[MOVER_PO].outcome is OrderOutcome.UPDATED, logged[MOVER_PO]
    others = set(logged) - {target, MOVER_PO}
    assert others == set(OTHER_POS) - {MOVER_PO, target}
    assert {logged[po].outcome for po in others} == {OrderOutcome.UNCHANGED}
    assert upstreams.po(target)["id"] not in patched_po_ids(upstreams)
    assert upstreams.po(MOVER_PO)["id"] in patched_po_ids(upstreams)
    assert recorded(services, upstreams, target) == before
    return logged[target], before


async def converges(
    services: SyncServices,
    upstreams: HostileUpstreams,
    before: Recorded,
    *,
    target: str = HOSTILE_PO,
    advance: bool = True,
) -> None:
    """Step 3 of the protocol: calm traffic, the target moves on, is synced once, then rests."""
    upstreams.calm()
    if advance:
        upstreams.tdsynnex.advance(target)
    report = await clean_cycle(services)
    outcomes = {o.po_number: o.outcome for o in report.orders}
    assert outcomes[target] is OrderOutcome.UPDATED
    after = services.store.history("default", target)
    kept = {e.key: e for e in after}
    assert all(kept.get(e.key) == e for e in before.history), "recorded history was lost"
    assert len(after) > len(before.history), "the change after the hostile cycle was recorded"
    assert len({e.key for e in after}) == len(after), "a history entry was recorded twice"
    upstreams.reset_counters()
    steady = await clean_cycle(services)
    assert steady.updated == 0
    assert upstreams.patches() == 0
    assert services.store.history("default", target) == after
