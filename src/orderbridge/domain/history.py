"""Status history and the sync activity log, in the domain's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["HistoryEntry", "HistorySource", "OrderOutcome", "OrderReport", "RunReport"]


class HistorySource(StrEnum):
    """Where a status change came from."""

    TDSYNNEX = "tdsynnex"
    CARRIER = "carrier"
    ORDERBRIDGE = "orderbridge"  # orderbridge's own bookkeeping (archive, un-archive)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded change of an order: append-only, unique per ``key`` within a PO."""

    po_number: str
    at: datetime
    from_status: str | None
    to_status: str
    source: HistorySource
    summary: str
    key: str


class OrderOutcome(StrEnum):
    """What one sync run did with one order."""

    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class OrderReport:
    """The activity-log line for one order in one run."""

    po_number: str
    outcome: OrderOutcome
    po_id: int | None = None
    status: str | None = None
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None


@dataclass(slots=True)
class RunReport:
    """The activity-log record of one sync run (filled in as the run goes)."""

    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = "running"
    monitored: int = 0
    checked: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    # Per upstream: requests, retries and faults by kind ("autotask", "autotask retries",
    # "tdsynnex faults: timeout" ...), counted over this run.
    requests: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    # Set when the run stopped early for want of request budget: do not start another before.
    resume_at: datetime | None = None
    orders: list[OrderReport] = field(default_factory=list)

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish, once finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
