"""A cycle cut into batches: every order in exactly one batch, and the parts add up to the run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.batches import combine_tallies, split_batches, tally_of
from orderbridge.domain.history import RunOutcome, RunReport

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@given(st.lists(st.integers(), unique=True, max_size=300), st.integers(1, 50))
def test_every_order_is_in_exactly_one_batch_in_order(ids: list[int], size: int) -> None:
    batches = split_batches(ids, size)
    assert [i for batch in batches for i in batch] == ids
    assert all(1 <= len(batch) <= size for batch in batches)
    assert len(batches) == -(-len(ids) // size)


def test_a_batch_holds_at_least_one_order() -> None:
    with pytest.raises(ValueError, match="at least one"):
        split_batches([1, 2], 0)


def _part(outcome: RunOutcome, **counts: int) -> RunReport:
    report = RunReport(started_at=T0, outcome=outcome)
    for name, value in counts.items():
        setattr(report, name, value)
    return report


def test_counts_requests_and_warnings_add_up() -> None:
    plan = _part(RunOutcome.RUNNING, monitored=5)
    plan.requests = {"autotask": 3}
    first = _part(RunOutcome.OK, checked=3, unchanged=3)
    first.requests = {"autotask": 1, "tdsynnex": 3}
    first.warnings = ["field X does not stick"]
    second = _part(RunOutcome.PARTIAL, checked=2, updated=1, failed=1)
    second.requests = {"autotask": 2, "tdsynnex": 2}
    second.warnings = ["field X does not stick", "invoices refused"]
    run = combine_tallies(RunReport(started_at=T0), [tally_of(p) for p in (plan, first, second)])
    assert (run.monitored, run.checked, run.updated, run.unchanged, run.failed) == (5, 5, 1, 3, 1)
    assert run.requests == {"autotask": 6, "tdsynnex": 5}
    assert run.warnings == ["field X does not stick", "invoices refused"]
    assert run.outcome is RunOutcome.PARTIAL


def test_a_clean_cycle_is_ok() -> None:
    parts = [_part(RunOutcome.RUNNING, monitored=2), _part(RunOutcome.OK, checked=2, unchanged=2)]
    run = combine_tallies(RunReport(started_at=T0), [tally_of(p) for p in parts])
    assert run.outcome is RunOutcome.OK
    assert run.error is None


def test_the_most_telling_outcome_wins_with_its_error_and_the_latest_resume_time() -> None:
    spent = _part(RunOutcome.BUDGET_EXHAUSTED, skipped=4)
    spent.error, spent.resume_at = "budget exhausted", T0.replace(hour=9)
    later = _part(RunOutcome.BUDGET_EXHAUSTED, skipped=4)
    later.error, later.resume_at = "budget exhausted again", T0.replace(hour=10)
    refused = _part(RunOutcome.REFUSED, failed=1, skipped=3)
    refused.error = "Login Failed"
    parts = [_part(RunOutcome.OK, checked=4), spent, refused, later]
    run = combine_tallies(RunReport(started_at=T0), [tally_of(p) for p in parts])
    assert run.outcome is RunOutcome.REFUSED
    assert run.error == "Login Failed"
    assert run.resume_at == T0.replace(hour=10)
    assert run.skipped == 11
