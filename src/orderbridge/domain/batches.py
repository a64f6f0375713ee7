"""A cycle split into order batches (workers): how orders are cut up and how the parts add up.

Workers run one cycle of a tenant as several jobs, one per batch of orders, so a tenant with
50,000 orders spreads over every worker; the activity log still shows one run per cycle. Each
batch keeps a *tally* (its counts, request figures, warnings and how it ended), and the run's
record is the sum of the tallies once the last batch is done. Batch 0 is the planner's share:
the Autotask reads that found the orders, and how many orders the scope covered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from orderbridge.domain.history import RunOutcome, RunReport

__all__ = ["WORST_FIRST", "combine_tallies", "split_batches", "tally_of"]

# How a run that ran in parts ended: the most telling of its parts' outcomes.
WORST_FIRST = (
    RunOutcome.REFUSED,
    RunOutcome.BUDGET_EXHAUSTED,
    RunOutcome.FAILED,
    RunOutcome.INTERRUPTED,
    RunOutcome.PARTIAL,
    RunOutcome.OK,
)
_COUNTS = ("monitored", "checked", "updated", "unchanged", "failed", "skipped")


def split_batches(po_ids: Sequence[int], size: int) -> list[list[int]]:
    """Cut the orders (in the order they are to be checked) into batches of at most ``size``."""
    if size < 1:
        raise ValueError("a batch holds at least one order")
    return [list(po_ids[i : i + size]) for i in range(0, len(po_ids), size)]


def tally_of(report: RunReport) -> dict[str, Any]:
    """What one part of a run contributes to the run's record (JSON-ready)."""
    return {
        **{name: int(getattr(report, name)) for name in _COUNTS},
        "outcome": str(report.outcome),
        "error": report.error,
        "requests": {str(k): int(v) for k, v in report.requests.items()},
        "warnings": list(report.warnings),
        "resume_at": None if report.resume_at is None else report.resume_at.isoformat(),
    }


def combine_tallies(report: RunReport, tallies: Iterable[Mapping[str, Any]]) -> RunReport:
    """Fill ``report`` (the run's record) with the sum of its parts' tallies; returns it.

    Counts and request figures add up; warnings are said once each; the outcome is the most
    telling of the parts' (a refusal over a spent budget over a failure ...), with its error;
    a part that ended ``running`` (it finished its orders) counts as ``ok``, and an ``ok``
    run with failed orders is ``partial``.
    """
    outcomes: list[tuple[RunOutcome, str | None]] = []
    for tally in tallies:
        for name in _COUNTS:
            setattr(report, name, getattr(report, name) + int(tally.get(name, 0)))
        for key, value in dict(tally.get("requests") or {}).items():
            report.requests[str(key)] = report.requests.get(str(key), 0) + int(value)
        for warning in tally.get("warnings") or ():
            if warning not in report.warnings:
                report.warnings.append(str(warning))
        outcome = RunOutcome(str(tally.get("outcome", RunOutcome.OK)))
        outcomes.append((outcome, tally.get("error")))
        resume = tally.get("resume_at")
        if resume:
            at = datetime.fromisoformat(str(resume))
            report.resume_at = at if report.resume_at is None else max(report.resume_at, at)
    worst = RunOutcome.OK
    error: str | None = None
    for outcome, why in outcomes:
        if outcome is RunOutcome.RUNNING:
            outcome = RunOutcome.OK
        if WORST_FIRST.index(outcome) < WORST_FIRST.index(worst):
            worst, error = outcome, why
    if worst is RunOutcome.OK and report.failed:
        worst = RunOutcome.PARTIAL
    report.outcome, report.error = worst, error
    return report
