"""What ``doctor`` needs from Autotask and the store, as small structural protocols.

The Autotask adapter's ``AutotaskAccess`` and the store's ``SqlStore`` satisfy these without
knowing about them; tests use plain fakes. Every method may raise the adapter's typed errors
(``orderbridge.ports.UpstreamError`` subclasses for the upstreams, the store's own error type
for the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from orderbridge.domain.history import OrderReport
from orderbridge.ports import MonitoredScope

__all__ = [
    "AutotaskSetup",
    "BudgetView",
    "CompanyView",
    "DoctorStore",
    "EntityAccessView",
    "RunView",
    "StoredOrderView",
]


class BudgetView(Protocol):
    """The Autotask database's hourly request budget."""

    @property
    def threshold(self) -> int:
        """Requests allowed per timeframe."""
        ...

    @property
    def timeframe_minutes(self) -> int:
        """Length of the timeframe."""
        ...

    @property
    def current(self) -> int:
        """Requests counted in the current timeframe."""
        ...


class EntityAccessView(Protocol):
    """The API user's rights on one entity (access words: None, Restricted or All)."""

    @property
    def entity(self) -> str:
        """The entity's URL name."""
        ...

    @property
    def can_query(self) -> bool:
        """Whether the entity can be queried at all."""
        ...

    @property
    def can_update(self) -> bool:
        """Whether the entity can be updated at all."""
        ...

    @property
    def query_access(self) -> str:
        """The user's query access."""
        ...

    @property
    def update_access(self) -> str:
        """The user's update access."""
        ...


class CompanyView(Protocol):
    """An Autotask company."""

    @property
    def id(self) -> int:
        """The company id."""
        ...

    @property
    def name(self) -> str:
        """The company name."""
        ...

    @property
    def is_vendor(self) -> bool:
        """Whether its company type is Vendor."""
        ...


class AutotaskSetup(Protocol):
    """Autotask questions about the setup (zone, budget, rights, vendors, scope size)."""

    async def zone(self) -> str:
        """The API base URL (explicit or discovered)."""
        ...

    async def threshold(self) -> BudgetView:
        """The request budget (an authenticated call: it proves the credentials)."""
        ...

    async def entity_access(self, entity: str) -> EntityAccessView:
        """The API user's rights on ``entity``."""
        ...

    async def companies(self, ids: Sequence[int]) -> Sequence[CompanyView]:
        """Those of ``ids`` that exist."""
        ...

    async def vendors_named(self, name: str) -> Sequence[CompanyView]:
        """Vendor companies whose name contains ``name``."""
        ...

    async def monitored_count(self, scope: MonitoredScope) -> int:
        """How many purchase orders the scope covers."""
        ...


class RunView(Protocol):
    """One run of the activity log."""

    @property
    def id(self) -> int:
        """The run id."""
        ...

    @property
    def started_at(self) -> datetime:
        """When it started (UTC)."""
        ...

    @property
    def finished_at(self) -> datetime | None:
        """When it finished (UTC), if it did."""
        ...

    @property
    def outcome(self) -> str:
        """running, ok, partial, failed, refused or interrupted."""
        ...

    @property
    def checked(self) -> int:
        """Orders checked."""
        ...

    @property
    def updated(self) -> int:
        """Orders updated."""
        ...

    @property
    def unchanged(self) -> int:
        """Orders found unchanged."""
        ...

    @property
    def failed(self) -> int:
        """Orders that failed."""
        ...

    @property
    def error(self) -> str | None:
        """Why the run stopped, if it did."""
        ...

    @property
    def orders(self) -> Sequence[OrderReport]:
        """Per-order reports (filled by ``run``, empty from ``runs``)."""
        ...


class StoredOrderView(Protocol):
    """The last known state of one order."""

    @property
    def po_number(self) -> str:
        """The PO number sent to TD SYNNEX."""
        ...

    @property
    def po_id(self) -> int | None:
        """The Autotask PO id."""
        ...

    @property
    def status(self) -> str:
        """The headline status."""
        ...

    @property
    def state(self) -> dict[str, Any]:
        """The domain's serialised order state."""
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

    def runs(self, tenant: str, limit: int) -> Sequence[RunView]:
        """The newest runs, newest first."""
        ...

    def run(self, run_id: int) -> RunView | None:
        """One run with its per-order reports."""
        ...

    def load_states(self, tenant: str, po_numbers: Iterable[str]) -> Mapping[str, StoredOrderView]:
        """Last known states by PO number."""
        ...
