"""An order's history as one story: status changes in time order, the facts behind each nested.

One comparison of two snapshots records a status change and, beside it, the facts that explain
it (a tracking number, a delivery, an invoice), each stamped with the moment that fact names: a
delivery on a day is stamped 00:00 UTC of that day. Listed flat and sorted by time, that reads
as the same change several times and a delivery before the order was first seen. A story keeps
each change once, puts "first seen" first, and nests the facts under the change they came with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .history import HistoryEntry

__all__ = ["StoryStep", "is_date_only", "is_midnight", "is_status_change", "order_story"]

_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StoryStep:
    """One step of an order's story: an entry and the facts recorded with it."""

    entry: HistoryEntry
    details: tuple[HistoryEntry, ...] = ()


def is_status_change(entry: HistoryEntry) -> bool:
    """Whether the entry records the order's status changing (rather than a fact beside it)."""
    return ":status:" in entry.key


def is_date_only(entry: HistoryEntry) -> bool:
    """Whether the entry's time is only a day: a delivery, invoice or ship date that TD SYNNEX
    gave without a time, stamped 00:00 UTC."""
    kind = entry.key.removeprefix(f"{entry.po_number}:").split(":", 1)[0]
    return kind in ("delivered", "invoice", "tracking") and is_midnight(entry.at)


def is_midnight(moment: datetime) -> bool:
    """Whether a UTC time is exactly 00:00:00, the stamp of a date given without a time."""
    return moment.utcoffset() in (None, timedelta(0)) and moment.time() == datetime.min.time()


def order_story(entries: Sequence[HistoryEntry]) -> list[StoryStep]:
    """The entries as a story, oldest first: each key once, facts nested under their change."""
    unique = list({e.key: e for e in entries}.values())
    changes = sorted((e for e in unique if is_status_change(e)), key=lambda e: (e.at, e.key))
    nested: dict[str, list[HistoryEntry]] = {c.key: [] for c in changes}
    loose: list[HistoryEntry] = []
    for fact in (e for e in unique if not is_status_change(e)):
        parent = _change_of(fact, changes)
        if parent is None:
            loose.append(fact)
        else:
            nested[parent.key].append(fact)
    steps = [
        StoryStep(c, tuple(sorted(nested[c.key], key=lambda e: (e.at, e.key)))) for c in changes
    ]
    steps.extend(StoryStep(fact) for fact in loose)
    return sorted(steps, key=_step_order)


def _change_of(fact: HistoryEntry, changes: Sequence[HistoryEntry]) -> HistoryEntry | None:
    """The status change recorded in the same comparison: the same from and to statuses."""
    if fact.from_status == fact.to_status:
        return None
    same = [
        c for c in changes if (c.from_status, c.to_status) == (fact.from_status, fact.to_status)
    ]
    if not same:
        return None
    return min(same, key=lambda c: abs((c.at - fact.at).total_seconds()))


def _step_order(step: StoryStep) -> tuple[int, datetime, str]:
    first_seen = is_status_change(step.entry) and step.entry.from_status is None
    return (0 if first_seen else 1, _EARLIEST if first_seen else step.entry.at, step.entry.key)
