"""Which purchase orders a cycle monitors: vendor companies and statuses, resolved once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from orderbridge.ports import MonitoredScope

__all__ = ["ScopeResolver", "SyncSetupError", "VendorDirectory"]


class SyncSetupError(Exception):
    """The configuration cannot work against this tenant (for example no vendor company found)."""


class VendorDirectory(Protocol):
    """Finds vendor companies by name."""

    async def vendor_ids_by_name(self, name: str) -> list[int]:
        """Ids of vendor companies whose name contains ``name``."""
        ...


@dataclass
class ScopeResolver:
    """Builds the monitored scope, looking the vendor up by name once when no ids are configured."""

    directory: VendorDirectory
    status_labels: Sequence[str]
    vendor_ids: Sequence[int] = ()
    vendor_name: str = "TD SYNNEX"
    _resolved: tuple[int, ...] = field(default=(), init=False)

    async def __call__(self) -> MonitoredScope:
        """The scope for the next cycle."""
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
        return MonitoredScope(vendor_ids=ids, status_labels=tuple(self.status_labels))
