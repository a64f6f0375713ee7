"""Status history and the sync activity log, in the domain's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "HistoryEntry",
    "HistorySource",
    "OrderOutcome",
    "OrderReport",
    "RunOutcome",
    "RunReport",
    "RunTrigger",
]


class HistorySource(StrEnum):
    """Where a status change came from."""

    TDSYNNEX = "tdsynnex"
    CARRIER = "carrier"


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


class RunOutcome(StrEnum):
    """How one sync run ended, as the activity log records it."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # finished, some orders failed
    FAILED = "failed"  # an upstream failure stopped the run before orders were checked
    REFUSED = "refused"  # a credential or allow-list refusal: said once, the run stopped
    BUDGET_EXHAUSTED = "budget exhausted"  # our Autotask request share ran out; resumes later
    INTERRUPTED = "interrupted"  # stopped on request, or the process died mid-run

    @property
    def stopped_early(self) -> bool:
        """The run ended before every order was checked."""
        return self in (RunOutcome.REFUSED, RunOutcome.BUDGET_EXHAUSTED, RunOutcome.INTERRUPTED)


class RunTrigger(StrEnum):
    """What started a run: the schedule, a one-off ``sync --once``, or a resync of named orders."""

    SCHEDULED = "scheduled"
    ONCE = "once"
    RESYNC = "resync"


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
    outcome: RunOutcome = RunOutcome.RUNNING
    trigger: RunTrigger = RunTrigger.SCHEDULED
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
    # Said once for the whole run (a field the tenant does not keep, a refused side service).
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None  # the activity-log record, once opened (never for a dry run)

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish, once finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
