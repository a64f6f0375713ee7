"""Doctor's check of the workers (``orderbridge worker``) serving this tenant.

Read from the job queue's tables in the PostgreSQL store: how many workers answer their
heartbeats, this tenant's jobs waiting, running and failed, and the batches its open cycle still
has to run. No check at all when workers were never used (a SQLite store, or no queue yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._findings import Check, Outcome

__all__ = ["WORKERS_CHECK_NAME", "WorkerHealth", "workers_check"]

WORKERS_CHECK_NAME = "workers"


@dataclass(frozen=True, slots=True)
class WorkerHealth:
    """The job queue as it stands, for one tenant."""

    live_workers: int
    silent_workers: int  # registered, but past [workers] stalled_after_s without a heartbeat
    waiting: int  # this tenant's jobs not yet started
    running: int
    failed: int  # kept for inspection: jobs that ran out of attempts
    pending_batches: int  # batches of the tenant's open cycle not finished


def workers_check(health: WorkerHealth | None) -> Check | None:
    """PASS with the figures; FAIL when work waits and no worker runs; WARN on failed jobs."""
    if health is None:
        return None
    waiting = max(health.waiting, health.pending_batches)
    figures = (
        f"{health.live_workers} worker(s) alive; this tenant has {health.waiting} job(s) "
        f"waiting, {health.running} running, {health.pending_batches} batch(es) of its open "
        "cycle left"
    )
    if health.live_workers == 0 and waiting:
        return Check(
            WORKERS_CHECK_NAME,
            Outcome.FAIL,
            f"{figures}, and no worker is running"
            + (f" ({health.silent_workers} stopped answering)" if health.silent_workers else ""),
            "Start `orderbridge worker` (or `systemctl start orderbridge-worker@1`); see "
            "docs/scale-out.md.",
        )
    if health.failed:
        return Check(
            WORKERS_CHECK_NAME,
            Outcome.WARN,
            f"{figures}; {health.failed} job(s) of this tenant failed after every retry",
            "Read the workers' log for the error (orderbridge worker logs each failure); the "
            "orders of a failed batch are checked again by the next cycle.",
        )
    return Check(WORKERS_CHECK_NAME, Outcome.PASS, figures)
