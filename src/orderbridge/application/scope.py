"""Which purchase orders a cycle monitors: vendor companies, statuses and the status scope.

The status scope (``all``, ``active``, ``recent:N``; see ``orderbridge.domain.scope``) is read
afresh before every cycle, so a change made while the daemon runs applies to the next cycle. It
shapes the Autotask query (which status labels, and a submit-date floor for ``recent``), and for
``active`` it also drops orders whose last known TD SYNNEX status is finished (Closed, Cancelled,
Rejected) before any TD SYNNEX call: they are left out of the cycle altogether.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.scope import FINISHED_AUTOTASK_STATUSES, ScopeKind, StatusScope
from orderbridge.ports import MonitoredScope

__all__ = ["ScopeResolver", "SyncSetupError", "VendorDirectory"]


class SyncSetupError(Exception):
    """The configuration cannot work against this tenant (for example no vendor company found)."""


class VendorDirectory(Protocol):
    """Finds vendor companies by name."""

    async def vendor_ids_by_name(self, name: str) -> list[int]:
        """Ids of vendor companies whose name contains ``name``."""
        ...


async def _active_scope() -> StatusScope:
    return StatusScope(ScopeKind.ACTIVE)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ScopeResolver:
    """Builds the monitored scope, looking the vendor up by name once when no ids are configured."""

    directory: VendorDirectory
    status_labels: Sequence[str]
    vendor_ids: Sequence[int] = ()
    vendor_name: str = "TD SYNNEX"
    status_scope: Callable[[], Awaitable[StatusScope]] = _active_scope
    clock: Callable[[], datetime] = _utc_now
    finished_labels: Sequence[str] = FINISHED_AUTOTASK_STATUSES
    _resolved: tuple[int, ...] = field(default=(), init=False)
    _current: StatusScope = field(default_factory=lambda: StatusScope(ScopeKind.ACTIVE), init=False)

    async def __call__(self) -> MonitoredScope:
        """The scope for the next cycle (reads the live status scope)."""
        ids = tuple(self.vendor_ids) or self._resolved
        if not ids:
            ids = tuple(await self.directory.vendor_ids_by_name(self.vendor_name))
            if not ids:
                raise SyncSetupError(
                    f"no Autotask vendor company's name contains {self.vendor_name!r}; set "
                    "autotask.vendor_name to part of its name, or autotask.vendor_company_ids "
                    "to its company id"
                )
            self._resolved = ids
        scope = await self.status_scope()
        try:
            labels = scope.autotask_statuses(
                self.status_labels, finished_statuses=self.finished_labels
            )
        except ValueError as exc:
            raise SyncSetupError(f"autotask.monitored_statuses: {exc}") from None
        self._current = scope
        return MonitoredScope(
            vendor_ids=ids,
            status_labels=labels,
            submitted_since=scope.submitted_since(self.clock()),
        )

    def excludes(self, known_status: str | None) -> bool:
        """True when the current scope needs no more checks of an order in this known status."""
        if known_status is None:
            return False
        try:
            status = OrderStatus(known_status)
        except ValueError:
            return False  # a status this version does not know: keep checking it
        return self._current.excludes(status)
