"""Asking the carriers about shipped packages, once per cycle, batched and within their limits.

Before a cycle checks its orders, ``CarrierRound.prefetch`` picks from their last known states
the packages that are due (see ``domain.tracking_schedule``), cuts each carrier's list to what
its rate limit allows now, and asks each carrier in its own batches — all carriers at once.
The answers are the run's ``CarrierFacts``; each order's derivation folds them in.

A carrier that fails (down, refusing its credentials, asking to slow down) is skipped for the
rest of the cycle and said once in the log; TD SYNNEX tracking goes on. A resync (``force``)
asks about every open package of the named orders, including packages TD SYNNEX has only just
reported, whatever the schedule says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import anyio

from orderbridge.domain.carrier_facts import NO_FACTS, CarrierFacts
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.package_tracking import TrackingReply
from orderbridge.domain.tracking_schedule import DuePackage, TrackingPolicy, due_packages
from orderbridge.ports import CarrierTracker, UpstreamError, UpstreamRateLimited

__all__ = ["CarrierPass", "CarrierRound", "CarrierTally"]

_log = logging.getLogger(__name__)


@dataclass
class CarrierTally:
    """What one carrier did in one cycle: numbers due, asked, answered, and why it stopped."""

    due: int = 0
    asked: int = 0
    answered: int = 0
    stopped: str | None = None


@dataclass
class CarrierRound:
    """The configured carriers' trackers and the schedule that decides when to ask."""

    trackers: Sequence[CarrierTracker]
    clock: Callable[[], datetime]
    policy: TrackingPolicy = field(default_factory=TrackingPolicy)

    @property
    def carriers(self) -> tuple[str, ...]:
        """Names of the carriers that are tracked."""
        return tuple(t.carrier for t in self.trackers)

    def start(self, *, force: bool) -> CarrierPass:
        """The carrier side of one run (``force``: a resync)."""
        return CarrierPass(self, force=force)

    async def ask(
        self, states: Iterable[OrderState], *, force: bool, skip: Callable[[str], bool]
    ) -> tuple[dict[str, TrackingReply], dict[str, CarrierTally]]:
        """Track the due packages of ``states``; replies by number and a tally per carrier."""
        due = due_packages(
            states, now=self.clock(), carriers=self.carriers, policy=self.policy, force=force
        )
        replies: dict[str, TrackingReply] = {}
        tallies: dict[str, CarrierTally] = {}

        async def one(tracker: CarrierTracker) -> None:
            mine = [d for d in due if d.carrier.casefold() == tracker.carrier.casefold()]
            mine = [d for d in mine if not skip(d.tracking_number)]
            tally = tallies.setdefault(tracker.carrier, CarrierTally())
            tally.due = len(mine)
            if mine:
                replies.update(await _ask_carrier(tracker, mine, tally))

        async with anyio.create_task_group() as group:
            for tracker in self.trackers:
                group.start_soon(one, tracker)
        return replies, tallies


async def _ask_carrier(
    tracker: CarrierTracker, due: Sequence[DuePackage], tally: CarrierTally
) -> dict[str, TrackingReply]:
    """Ask one carrier in batches until done, out of allowance, or failing."""
    replies: dict[str, TrackingReply] = {}
    size = max(1, tracker.batch_size)
    for start in range(0, len(due), size):
        if tracker.allowance() <= 0:
            tally.stopped = "request limit reached; the rest wait for the next cycle"
            break
        numbers = [d.tracking_number for d in due[start : start + size]]
        tally.asked += len(numbers)
        try:
            answered = await tracker.track(numbers)
        except UpstreamRateLimited as exc:
            tally.stopped = f"asked to slow down: {exc}"
            break
        except UpstreamError as exc:
            tally.stopped = str(exc)
            break
        except Exception as exc:  # a bug in one carrier's client must not stop the cycle
            _log.exception("%s tracking failed unexpectedly", tracker.carrier)
            tally.stopped = f"unexpected error: {type(exc).__name__}"
            break
        tally.answered += len(answered)
        replies.update(answered)
    if tally.stopped is not None:
        _log.warning(
            "%s tracking stopped this cycle after %d of %d packages: %s",
            tracker.carrier,
            tally.answered,
            tally.due,
            tally.stopped,
        )
    return replies


class CarrierPass:
    """The carrier answers of one run, handed to each order's derivation."""

    def __init__(self, round_: CarrierRound | None, *, force: bool) -> None:
        self._round = round_
        self._force = force
        self.facts: CarrierFacts = NO_FACTS
        self.tallies: dict[str, CarrierTally] = {}

    async def prefetch(self, states: Iterable[OrderState]) -> None:
        """Ask the carriers about the due packages of these last known states."""
        if self._round is None:
            return
        replies, tallies = await self._round.ask(states, force=self._force, skip=lambda _: False)
        self.facts = CarrierFacts(replies)
        self.tallies = tallies

    async def for_order(self, state: OrderState) -> CarrierFacts:
        """The run's answers, plus (on a resync) packages TD SYNNEX has only just reported."""
        if self._round is None or not self._force:
            return self.facts
        replies, tallies = await self._round.ask(
            [state], force=True, skip=lambda n: self.facts.get(n) is not None
        )
        if replies:
            self.facts = self.facts.merged(CarrierFacts(replies))
        for carrier, tally in tallies.items():
            total = self.tallies.setdefault(carrier, CarrierTally())
            total.due += tally.due
            total.asked += tally.asked
            total.answered += tally.answered
            total.stopped = total.stopped or tally.stopped
        return self.facts
