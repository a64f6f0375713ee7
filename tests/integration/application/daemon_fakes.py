"""A fake clock whose sleep advances time at once, and a fake cycle that records runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio
import anyio.lowlevel

from orderbridge.adapters.store import SqlStore
from orderbridge.application.cycle import RunnerGuard
from orderbridge.application.daemon import Daemon
from orderbridge.application.lease import RunnerLease
from orderbridge.application.runtime import RuntimeSettings, RuntimeValues
from orderbridge.domain.history import RunOutcome, RunReport
from orderbridge.domain.schedule import Frequency
from orderbridge.domain.scope import StatusScope


@dataclass
class FakeTime:
    """Time that moves only when the daemon sleeps; ``hooks`` run once their time has come."""

    now: datetime
    hooks: list[tuple[datetime, Callable[[], object]]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> datetime:
        """The current fake time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` and run the hooks now due."""
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)
        due = [hook for hook in self.hooks if hook[0] <= self.now]
        for hook in due:
            self.hooks.remove(hook)
            hook[1]()
        await anyio.lowlevel.checkpoint()


@dataclass
class RecordingCycle:
    """A sync cycle that records a run in the store; sets ``stop`` after ``limit`` cycles."""

    store: SqlStore
    time: FakeTime
    stop: anyio.Event
    limit: int
    autotask_requests: int = 10
    started: list[datetime] = field(default_factory=list)

    async def __call__(self, halt: anyio.Event) -> RunReport:
        """Record one instantaneous run."""
        now = self.time.clock()
        self.started.append(now)
        run_id = self.store.start_run("default", now)
        report = RunReport(
            started_at=now,
            finished_at=now,
            outcome=RunOutcome.OK,
            requests={"autotask": self.autotask_requests},
        )
        self.store.finish_run(run_id, report)
        if len(self.started) >= self.limit:
            self.stop.set()
        await anyio.lowlevel.checkpoint()
        return report


def file_values(
    frequency: str = "custom:1m", *, enabled: bool = True, min_gap_s: float = 60
) -> RuntimeValues:
    """Runtime values as a configuration file would give them."""
    return RuntimeValues(
        enabled=enabled,
        frequency=Frequency.parse(frequency, min_gap_s=min_gap_s),
        scope=StatusScope.parse("active"),
    )


def build_daemon(
    store: SqlStore,
    time: FakeTime,
    cycle: RecordingCycle,
    runtime: RuntimeSettings,
    *,
    threshold: Callable[[], int] = lambda: 1_000_000,
    holder: str = "testhost:1:aaaa",
    lease: RunnerLease | None = None,
) -> Daemon:
    """A daemon over the fakes, polling every 5 fake seconds."""

    async def allowance() -> int:
        return threshold() // 2  # orderbridge's share: half the tenant's threshold

    return Daemon(
        cycle=cycle,
        runtime=runtime.current,
        runs=store,
        guard=RunnerGuard(
            lease=lease or RunnerLease(store, ttl_s=120, clock=time.clock, holder=holder),
            runs=store,
            clock=time.clock,
            tenant="default",
        ),
        allowance=allowance,
        clock=time.clock,
        sleep=time.sleep,
    )
