"""Doctor's workers check: silent when workers never ran, loud when work waits for none."""

from __future__ import annotations

from orderbridge.application.doctor import Outcome, WorkerHealth, workers_check


def _health(**changes: int) -> WorkerHealth:
    values = {
        "live_workers": 2,
        "silent_workers": 0,
        "waiting": 3,
        "running": 1,
        "failed": 0,
        "pending_batches": 4,
    }
    return WorkerHealth(**(values | changes))


def test_no_check_where_workers_never_ran() -> None:
    assert workers_check(None) is None


def test_live_workers_pass_with_the_figures() -> None:
    check = workers_check(_health())
    assert check is not None
    assert check.outcome is Outcome.PASS
    assert "2 worker(s) alive" in check.detail
    assert "3 job(s) waiting, 1 running, 4 batch(es)" in check.detail


def test_work_waiting_for_no_worker_fails_and_says_what_to_start() -> None:
    check = workers_check(_health(live_workers=0, silent_workers=1, running=0))
    assert check is not None
    assert check.outcome is Outcome.FAIL
    assert "no worker is running (1 stopped answering)" in check.detail
    assert "orderbridge worker" in check.fix
    idle = workers_check(_health(live_workers=0, waiting=0, running=0, pending_batches=0))
    assert idle is not None
    assert idle.outcome is Outcome.PASS  # nothing to do, nobody to do it: fine


def test_failed_jobs_warn() -> None:
    check = workers_check(_health(failed=2))
    assert check is not None
    assert check.outcome is Outcome.WARN
    assert "2 job(s) of this tenant failed" in check.detail
