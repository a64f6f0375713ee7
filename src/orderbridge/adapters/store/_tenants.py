"""Tenants kept in the store (``tenant_config``): the queries behind ``SqlStore``'s tenant methods.

A row holds one tenant's own sections of the settings: the plain keys as JSON and every
credential as one ciphertext made by ``orderbridge.adapters.secret_keys`` (the store never sees a
key or a plain secret). The tenant's orders, history and runs are keyed by the same name in the
other tables and are not touched here: removing a tenant's configuration keeps its records.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import Session

from ._statements import execute, require_aware, table_of
from ._tables import TenantConfigRow

__all__ = ["StoredTenant", "TenantMethods"]

CONFIG = table_of(TenantConfigRow)


@dataclass(frozen=True, slots=True)
class StoredTenant:
    """One tenant's stored configuration (``secrets`` is ciphertext)."""

    name: str
    enabled: bool
    settings: dict[str, Any]
    secrets: str
    key_id: str
    created_at: datetime
    updated_at: datetime


def _stored(row: TenantConfigRow) -> StoredTenant:
    return StoredTenant(
        name=row.name,
        enabled=row.enabled,
        settings=dict(row.settings),
        secrets=row.secrets,
        key_id=row.key_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _has_table(session: Session) -> bool:
    """Whether the schema has tenants at all (a store not yet upgraded has none)."""
    return inspect(session.connection()).has_table(CONFIG.name)


class TenantMethods:
    """Add, list, switch, remove and re-encrypt tenants; mixed into ``SqlStore``."""

    def _read(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def _write(self, action: str, tenant: str | None = None) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def tenant_configs(self) -> list[StoredTenant]:
        """Every configured tenant by name ([] for a store that has none, or predates them)."""
        with self._read("reading the tenants") as session:
            if not _has_table(session):
                return []
            rows = session.scalars(select(TenantConfigRow).order_by(TenantConfigRow.name))
            return [_stored(row) for row in rows]

    def tenant_config(self, name: str) -> StoredTenant | None:
        """One tenant's configuration, or None."""
        with self._read(f"reading tenant {name}") as session:
            if not _has_table(session):
                return None
            row = session.get(TenantConfigRow, name)
            return None if row is None else _stored(row)

    def put_tenant_config(
        self,
        name: str,
        settings: dict[str, Any],
        secrets: str,
        key_id: str,
        now: datetime,
        *,
        replace: bool = False,
    ) -> bool:
        """Add tenant ``name`` (enabled); with ``replace`` overwrite its configuration, keeping
        whether it is enabled. False when it exists and ``replace`` is not given."""
        require_aware(now, "now")
        with self._write(f"saving tenant {name}", name) as session:
            row = session.get(TenantConfigRow, name)
            if row is not None and not replace:
                return False
            if row is None:
                session.add(
                    TenantConfigRow(
                        name=name,
                        enabled=True,
                        settings=settings,
                        secrets=secrets,
                        key_id=key_id,
                        created_at=now,
                        updated_at=now,
                    )
                )
            else:
                row.settings, row.secrets, row.key_id, row.updated_at = (
                    settings,
                    secrets,
                    key_id,
                    now,
                )
            return True

    def set_tenant_enabled(self, name: str, enabled: bool, now: datetime) -> bool:
        """Enable or disable tenant ``name``; False when there is no such tenant."""
        require_aware(now, "now")
        with self._write(f"switching tenant {name}") as session:
            if not _has_table(session):
                return False
            result = execute(
                session,
                update(CONFIG).where(CONFIG.c.name == name).values(enabled=enabled, updated_at=now),
            )
            return bool(result.rowcount)

    def remove_tenant_config(self, name: str) -> bool:
        """Forget tenant ``name``'s configuration and credentials (its records stay)."""
        with self._write(f"removing tenant {name}") as session:
            if not _has_table(session):
                return False
            return bool(execute(session, delete(CONFIG).where(CONFIG.c.name == name)).rowcount)

    def reencrypt_tenant_secrets(
        self, rewrite: Callable[[StoredTenant], tuple[str, str]], now: datetime
    ) -> int:
        """Replace every tenant's ciphertext with ``rewrite(tenant)`` (new ciphertext, key id),
        all in one transaction: either every tenant is re-encrypted or none is."""
        require_aware(now, "now")
        with self._write("re-encrypting the tenants' credentials") as session:
            if not _has_table(session):
                return 0
            rows = list(session.scalars(select(TenantConfigRow).with_for_update()))
            for row in rows:
                row.secrets, row.key_id = rewrite(_stored(row))
                row.updated_at = now
            return len(rows)
