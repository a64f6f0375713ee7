"""The audit trail: every Autotask write and every settings change, as it happened.

``AuditedWrites`` sits between the sync loop's apply step and the Autotask gateway: it writes
through the gateway, then appends one audit entry per field with the value as read before the
write, the value written, the run, and whether Autotask took it. ``AuditedSettings`` does the same
for runtime settings, naming who changed them. Audit entries are only ever appended.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import anyio

from orderbridge.application.runtime import SettingsStore
from orderbridge.domain.models import PurchaseOrder
from orderbridge.domain.records import AuditEntry, AuditKind, audit_text
from orderbridge.ports import PurchaseOrderGateway, UpstreamError

__all__ = ["AuditTrail", "AuditedSettings", "AuditedWrites", "unarchive_in_scope"]


class AuditTrail(Protocol):
    """Where audit entries go, and the archive the sync loop consults (synchronous)."""

    def record_audit(self, tenant: str, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries."""
        ...

    def unarchive(
        self, tenant: str, po_numbers: Iterable[str], reason: str, at: datetime
    ) -> list[str]:
        """Bring archived orders back with a history line each; return the PO numbers."""
        ...


@dataclass(frozen=True, slots=True)
class AuditedWrites:
    """Autotask writes for one run, each field recorded in the audit trail."""

    gateway: PurchaseOrderGateway
    trail: AuditTrail | None
    tenant: str
    run_id: int | None
    clock: Callable[[], datetime]

    async def purchase_order(self, po: PurchaseOrder, changes: Mapping[str, Any]) -> None:
        """Write PO fields; record each with its value as read on ``po``."""
        await self._write(po, None, changes, self.gateway.update_purchase_order(po.id, changes), po)

    async def item(self, po: PurchaseOrder, item_id: int, changes: Mapping[str, Any]) -> None:
        """Write item fields; record each with its value as read on the item."""
        item = next((i for i in po.items if i.id == item_id), None)
        await self._write(
            po, item_id, changes, self.gateway.update_item(po.id, item_id, changes), item
        )

    async def _write(
        self,
        po: PurchaseOrder,
        item_id: int | None,
        changes: Mapping[str, Any],
        call: Any,
        read: object,
    ) -> None:
        if self.trail is None:
            await call
            return
        error: str | None = None
        try:
            await call
        except UpstreamError as exc:
            error = str(exc)
            raise
        finally:
            entries = [
                AuditEntry(
                    at=self.clock(),
                    kind=AuditKind.AUTOTASK_WRITE,
                    field=name,
                    before=audit_text(getattr(read, name, None)),
                    after=audit_text(value),
                    po_number=po.po_number,
                    po_id=po.id,
                    item_id=item_id,
                    run_id=self.run_id,
                    stuck=error is None,
                    error=error,
                )
                for name, value in sorted(changes.items())
            ]
            trail = self.trail
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(lambda: trail.record_audit(self.tenant, entries))


@dataclass(frozen=True, slots=True)
class AuditedSettings:
    """A settings store that records who changed which setting from what to what."""

    inner: SettingsStore
    trail: AuditTrail
    actor: str
    clock: Callable[[], datetime]

    def settings(self, tenant: str) -> dict[str, str]:
        """All runtime settings of a tenant (read through)."""
        return self.inner.settings(tenant)

    def set_setting(self, tenant: str, key: str, value: str) -> None:
        """Store the value and, if it changed, append an audit entry."""
        before = self.inner.settings(tenant).get(key)
        self.inner.set_setting(tenant, key, value)
        if before == value:
            return
        entry = AuditEntry(
            at=self.clock(),
            kind=AuditKind.SETTING_CHANGE,
            field=key,
            before=before,
            after=value,
            actor=self.actor,
        )
        self.trail.record_audit(tenant, [entry])


async def unarchive_in_scope(
    trail: AuditTrail | None,
    tenant: str,
    pos: Sequence[PurchaseOrder],
    archived: Callable[[str], bool],
    at: datetime,
) -> list[str]:
    """Un-archive stored orders whose PO is back in the monitored scope; return them."""
    if trail is None:
        return []
    back = [po for po in pos if po.po_number and archived(po.po_number)]
    if not back:
        return []
    statuses = {po.po_number: po.status for po in back}
    numbers = sorted(n for n in statuses if n)
    reason = "the PO is back in scope in Autotask (status {status})"

    def run() -> list[str]:
        done: list[str] = []
        for number in numbers:
            done += trail.unarchive(tenant, [number], reason.format(status=statuses[number]), at)
        return done

    return await anyio.to_thread.run_sync(run)
