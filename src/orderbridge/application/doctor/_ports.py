"""What ``doctor`` asks Autotask and the store; the answers are the plain values of the ports.

The Autotask adapter's ``AutotaskAccess`` and the store's ``SqlStore`` satisfy these without
knowing about them; tests use plain fakes. Every method may raise the adapter's typed errors
(``orderbridge.ports.UpstreamError`` subclasses for the upstreams, the store's own error type
for the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from orderbridge.ports import (
    CompanyRef,
    EntityAccess,
    FieldQuirk,
    MonitoredScope,
    RunRecord,
    StoredOrder,
    ThresholdInfo,
)

__all__ = ["AutotaskSetup", "DoctorStore"]


class AutotaskSetup(Protocol):
    """Autotask questions about the setup (zone, budget, rights, vendors, scope size)."""

    async def zone(self) -> str:
        """The API base URL (explicit or discovered)."""
        ...

    async def threshold(self) -> ThresholdInfo:
        """The request budget (an authenticated call: it proves the credentials)."""
        ...

    async def entity_access(self, entity: str) -> EntityAccess:
        """The API user's rights on ``entity``."""
        ...

    async def companies(self, ids: Sequence[int]) -> Sequence[CompanyRef]:
        """Those of ``ids`` that exist."""
        ...

    async def vendors_named(self, name: str) -> Sequence[CompanyRef]:
        """Vendor companies whose name contains ``name``."""
        ...

    async def monitored_count(self, scope: MonitoredScope) -> int:
        """How many purchase orders the scope covers."""
        ...


class DoctorStore(Protocol):
    """The store as doctor reads it (plus one harmless write to prove it is writable)."""

    def schema_version(self) -> str:
        """The schema revision the database is at (``base`` when never created)."""
        ...

    def head_version(self) -> str:
        """The revision this version of orderbridge expects."""
        ...

    def set_setting(self, tenant: str, key: str, value: str) -> None:
        """Write one runtime setting."""
        ...

    def delete_setting(self, tenant: str, key: str) -> bool:
        """Remove one runtime setting."""
        ...

    def runs(self, tenant: str, limit: int) -> Sequence[RunRecord]:
        """The newest runs, newest first (without their per-order reports)."""
        ...

    def run(self, run_id: int) -> RunRecord | None:
        """One run with its per-order reports."""
        ...

    def load_states(self, tenant: str, po_numbers: Iterable[str]) -> Mapping[str, StoredOrder]:
        """Last known states by PO number."""
        ...

    def field_quirks(self, tenant: str) -> list[FieldQuirk]:
        """Fields the tenant does not keep as written."""
        ...
