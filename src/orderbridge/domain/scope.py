"""Which purchase orders a sync cycle looks at: the status scope.

Status scope (one of):

- ``active`` (the default) — orders not yet finished. Autotask is asked for purchase orders in
  the monitored statuses (by default Submitted and Received Partial), and an order whose last
  known TD SYNNEX status is Closed (delivered and invoiced), Cancelled or Rejected is no longer
  checked: it needs no more work. A delivered order not yet invoiced stays monitored (TD SYNNEX
  often invoices after delivery), and so does an invoiced order not yet delivered. An order
  TD SYNNEX reported as Not found stays monitored, because that is often a PO-number mapping
  problem (or an order TD SYNNEX has not registered yet) that is worth checking again once fixed.
- ``all`` — every purchase order that was ever sent to TD SYNNEX: the monitored statuses plus
  Received Full and Canceled. New purchase orders are never included, in any scope: a New PO
  has not been sent to TD SYNNEX, so there is nothing to look up.
- ``recent`` — like ``all``, limited to purchase orders submitted in the last 30 days;
  ``recent:60``, ``recent:90`` or any number of days from 1 to 3650 sets the window.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from orderbridge.domain.lifecycle import OrderStatus

__all__ = [
    "DEFAULT_MONITORED_STATUSES",
    "DEFAULT_RECENT_DAYS",
    "FINISHED_AUTOTASK_STATUSES",
    "ScopeKind",
    "StatusScope",
]

DEFAULT_MONITORED_STATUSES = ("Submitted", "Received Partial")
# Autotask's own spelling of its PO status labels ("Canceled", one l).
FINISHED_AUTOTASK_STATUSES = ("Received Full", "Canceled")
DEFAULT_RECENT_DAYS = 30
MAX_RECENT_DAYS = 3650
_NEVER_SENT = "new"
# Finished: nothing more can happen at TD SYNNEX. Delivered is not (an invoice may follow).
_DONE = frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED, OrderStatus.REJECTED})
_RECENT = re.compile(r"recent(?:\s*orders)?(?:\s*[:= ]\s*(\S+?)(?:\s*d(?:ays?)?)?)?")


class ScopeKind(StrEnum):
    """Which orders are in scope: all of them, recent ones, or those not yet finished."""

    ALL = "all"
    RECENT = "recent"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class StatusScope:
    """A validated status scope; ``days`` is the window of a ``recent`` scope."""

    kind: ScopeKind
    days: int | None = None

    def __post_init__(self) -> None:
        if self.kind is not ScopeKind.RECENT:
            if self.days is not None:
                raise ValueError(f"only the recent scope takes a number of days, not {self.kind}")
            return
        if self.days is None:
            object.__setattr__(self, "days", DEFAULT_RECENT_DAYS)
        elif not 1 <= self.days <= MAX_RECENT_DAYS:
            raise ValueError(
                f"recent:{self.days} is out of range; the window is 1 to {MAX_RECENT_DAYS} days"
            )

    @classmethod
    def parse(cls, text: str) -> StatusScope:
        """Read a scope (``all``, ``active``, ``recent``, ``recent:60``); ``ValueError`` if bad."""
        words = " ".join(text.split()).lower()
        for kind in (ScopeKind.ALL, ScopeKind.ACTIVE):
            if words in (kind.value, f"{kind.value} orders"):
                return cls(kind)
        match = _RECENT.fullmatch(words)
        if match is None:
            raise ValueError(
                f"{text!r} is not a status scope; use all, active, recent (30 days) or "
                f"recent:N for the last N days (1 to {MAX_RECENT_DAYS}), e.g. recent:90"
            )
        if match.group(1) is None:
            return cls(ScopeKind.RECENT)
        if not match.group(1).isdigit():
            raise ValueError(
                f"{text!r}: the recent window is a whole number of days, e.g. recent:60"
            )
        return cls(ScopeKind.RECENT, int(match.group(1)))

    @property
    def text(self) -> str:
        """The canonical configuration text; ``StatusScope.parse`` reads it back."""
        if self.kind is ScopeKind.RECENT:
            return f"recent:{self.days}"
        return self.kind.value

    def describe(self) -> str:
        """The scope in words, e.g. "orders submitted in the last 60 days"."""
        if self.kind is ScopeKind.ALL:
            return "all orders sent to TD SYNNEX"
        if self.kind is ScopeKind.RECENT:
            return f"orders submitted in the last {self.days} days"
        return "active orders (not yet closed, cancelled or rejected)"

    def autotask_statuses(
        self,
        monitored_statuses: Sequence[str] = DEFAULT_MONITORED_STATUSES,
        *,
        finished_statuses: Sequence[str] = FINISHED_AUTOTASK_STATUSES,
    ) -> tuple[str, ...]:
        """The Autotask PO status labels to query, in order, without duplicates or New."""
        chosen = _labels(monitored_statuses)
        if not chosen:
            raise ValueError(
                "no Autotask statuses left to monitor; configure at least one status other "
                "than New, e.g. Submitted"
            )
        if self.kind is not ScopeKind.ACTIVE:
            chosen.update((k, v) for k, v in _labels(finished_statuses).items() if k not in chosen)
        return tuple(chosen.values())

    def submitted_since(self, now: datetime) -> datetime | None:
        """The earliest submit date in scope: ``now`` minus the window for recent, else None."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware (orderbridge works in UTC)")
        if self.kind is not ScopeKind.RECENT:
            return None
        assert self.days is not None
        return now - timedelta(days=self.days)

    def excludes(self, known_status: OrderStatus | None) -> bool:
        """True when an order with this last known status needs no more checking."""
        return self.kind is ScopeKind.ACTIVE and known_status in _DONE


def _labels(statuses: Sequence[str]) -> dict[str, str]:
    """Status labels keyed case-insensitively, first spelling kept, New left out."""
    chosen: dict[str, str] = {}
    for label in statuses:
        cleaned = " ".join(label.split())
        key = cleaned.casefold()
        if cleaned and key != _NEVER_SENT:
            chosen.setdefault(key, cleaned)
    return chosen
