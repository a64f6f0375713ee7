"""When an order is next checked, and why: what ``orderbridge status PO`` and the order page say.

Two things decide it: the order's own rule (per-order check schedules, ``[sync] adaptive``) and
when the next cycle runs (the runtime frequency, from the last cycle the schedule spaces). The
cycle that checks the order is the first one its rule lets check it, which is not the next
cycle when the order is due later. It is read without writing: a read-only command must not
seed the store's runtime settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from orderbridge.domain.check_schedule import CheckPolicy, NextCheck, next_check
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.schedule import Frequency, next_run

from .cycle import CYCLE_TRIGGERS, PastRun
from .runtime import RuntimeSettings

__all__ = ["CycleLog", "NextChecks", "OrderNextCheck"]


class CycleLog(Protocol):
    """The activity log, read for the last cycle (synchronous)."""

    def runs(
        self, tenant: str, limit: int, *, triggers: Sequence[str] | None = None
    ) -> Sequence[PastRun]:
        """The newest runs (started by these triggers), newest first."""
        ...


@dataclass(frozen=True, slots=True)
class OrderNextCheck:
    """When an order is next checked: its own rule, and the cycle that will check it."""

    rule: NextCheck | None  # None: every cycle checks it (not adaptive), or it was never synced
    enabled: bool  # scheduled syncing is on
    schedule: str  # the frequency, in words
    cycle_at: datetime | None  # the next cycle; None when syncing is off or no cycle ran yet
    now: datetime
    checked_by: datetime | None = None  # the first cycle the rule lets check it (else cycle_at)

    def describe(self) -> str:
        """One line: the order's rule (when there is one), then the cycle that checks it."""
        if self.rule is not None and self.rule.at is None:
            return self.rule.describe()  # never checked again: no cycle to name
        if not self.enabled:
            cycle = "not scheduled: scheduled sync is off"
        elif self.cycle_at is None:
            cycle = f"at the first cycle of orderbridge run, then {self.schedule}"
        elif self.checked_by is not None and self.checked_by > self.cycle_at:
            cycle = (
                f"checked by the cycle at {self.checked_by:%Y-%m-%d %H:%M} UTC "
                f"({self.schedule}) while orderbridge run runs"
            )
        else:
            at = (
                "at the next cycle (due now)"
                if self.cycle_at <= self.now
                else f"{self.cycle_at:%Y-%m-%d %H:%M} UTC"
            )
            cycle = f"{at} ({self.schedule}) while orderbridge run runs"
        return cycle if self.rule is None else f"{self.rule.describe()}; {cycle}"


class NextChecks:
    """Reads the activity log and the runtime settings to say when orders are next checked."""

    def __init__(
        self,
        *,
        runs: CycleLog,
        runtime: RuntimeSettings,
        policy: CheckPolicy | None,
        clock: Callable[[], datetime],
        tenant: str = "default",
    ) -> None:
        self._runs = runs
        self._runtime = runtime
        self._policy = policy  # None: [sync] adaptive = false
        self._clock = clock
        self._tenant = tenant

    def of(self, state: OrderState | None, checked_at: datetime | None) -> OrderNextCheck:
        """The next check of an order with this stored state (None: never synced)."""
        now = self._clock()
        values = self._runtime.peek()
        rule = None
        if self._policy is not None and state is not None:
            rule = next_check(state, checked_at, policy=self._policy)
        cycle_at = checked_by = None
        latest = self._runs.runs(self._tenant, 1, triggers=CYCLE_TRIGGERS)
        if values.enabled and latest:
            last = latest[0]
            cycle_at = next_run(
                values.frequency,
                now=now,
                last_started=last.started_at,
                last_finished=last.finished_at,
            )
            checked_by = cycle_at
            if rule is not None and self._policy is not None:
                checked_by = _checking_cycle(values.frequency, cycle_at, rule, self._policy)
        return OrderNextCheck(
            rule, values.enabled, values.frequency.describe(), cycle_at, now, checked_by
        )


def _checking_cycle(
    frequency: Frequency, first: datetime, rule: NextCheck, policy: CheckPolicy
) -> datetime | None:
    """The first cycle from ``first`` on that checks an order with this rule (None: never).

    Later cycles are placed as the schedule places them after a cycle that took no time; a
    schedule too dense to step through (realtime) gives the time the rule names.
    """
    if rule.at is None:
        return None
    at = first
    for _ in range(_MAX_STEPS):
        if rule.due(at, policy):
            return at
        following = next_run(frequency, now=at, last_started=at, last_finished=at)
        if following <= at:
            break
        at = following
    return max(at, rule.at - policy.early)


_MAX_STEPS = 2_000
