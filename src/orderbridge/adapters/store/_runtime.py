"""Runtime settings per tenant and the single-runner lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ._statements import execute, insert_for, replace_rows, table_of
from ._tables import LeaseRow, SettingRow

__all__ = [
    "FORBIDDEN_KEY_WORDS",
    "acquire_lease",
    "check_setting_key",
    "delete_setting",
    "get_setting",
    "release_lease",
    "renew_lease",
    "set_setting",
    "settings",
]

# Settings are plain text in the database; credentials belong in the config/secret store.
FORBIDDEN_KEY_WORDS = ("secret", "password", "passwd", "credential", "api_key", "apikey")
MAX_KEY_LENGTH = 128

SETTING = table_of(SettingRow)
LEASE = table_of(LeaseRow)


def check_setting_key(key: str) -> str:
    """Return ``key`` if it may be stored; reject empty, long or credential-like keys."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"setting key must be 1 to {MAX_KEY_LENGTH} characters, got {key!r}")
    lowered = key.lower()
    for word in FORBIDDEN_KEY_WORDS:
        if word in lowered:
            raise ValueError(
                f"setting key {key!r} looks like a credential ({word!r}); "
                "credentials never go into the database, keep them in the configuration"
            )
    return key


def get_setting(session: Session, tenant: str, key: str) -> str | None:
    """One setting's value, or None."""
    return session.scalar(
        select(SettingRow.value).where(SettingRow.tenant == tenant, SettingRow.key == key)
    )


def set_setting(session: Session, tenant: str, key: str, value: str, now: datetime) -> None:
    """Create or replace one setting."""
    row = {"tenant": tenant, "key": key, "value": value, "updated_at": now}
    replace_rows(session.connection(), SETTING, ("tenant", "key"), [row])


def delete_setting(session: Session, tenant: str, key: str) -> bool:
    """Remove one setting; True if it existed."""
    statement = delete(SETTING).where(SETTING.c.tenant == tenant, SETTING.c.key == key)
    return execute(session, statement).rowcount > 0


def settings(session: Session, tenant: str) -> dict[str, str]:
    """All settings of a tenant, by key."""
    rows = session.execute(
        select(SettingRow.key, SettingRow.value)
        .where(SettingRow.tenant == tenant)
        .order_by(SettingRow.key)
    )
    return dict(rows.all())


def acquire_lease(session: Session, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take the lease if nobody holds it, it expired, or ``holder`` already has it."""
    expires_at = now + ttl
    created = insert_for(session, LEASE).values(
        name=name, holder=holder, acquired_at=now, expires_at=expires_at
    )
    if execute(session, created.on_conflict_do_nothing(index_elements=[LEASE.c.name])).rowcount:
        return True
    # The row exists: one conditional UPDATE decides, so two contenders cannot both win.
    taken = (
        update(LEASE)
        .where(
            LEASE.c.name == name,
            or_(LEASE.c.holder == holder, LEASE.c.expires_at <= now),
        )
        .values(holder=holder, acquired_at=now, expires_at=expires_at)
    )
    return execute(session, taken).rowcount == 1


def renew_lease(session: Session, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Extend a lease ``holder`` still holds; False once it expired or someone took it."""
    statement = (
        update(LEASE)
        .where(LEASE.c.name == name, LEASE.c.holder == holder, LEASE.c.expires_at > now)
        .values(expires_at=now + ttl)
    )
    return execute(session, statement).rowcount == 1


def release_lease(session: Session, name: str, holder: str) -> bool:
    """Give the lease up if ``holder`` holds it; True if it did."""
    statement = delete(LEASE).where(LEASE.c.name == name, LEASE.c.holder == holder)
    return execute(session, statement).rowcount > 0


def lease_holder(session: Session, name: str) -> tuple[str, datetime] | None:
    """Who holds lease ``name`` and until when (expired or not), or None."""
    row = session.execute(
        select(LeaseRow.holder, LeaseRow.expires_at).where(LeaseRow.name == name)
    ).first()
    return None if row is None else (row[0], row[1])


def active_holder(session: Session, prefix: str, now: datetime) -> tuple[str, datetime] | None:
    """Who holds an unexpired lease whose name starts with ``prefix`` (any tenant's runner)."""
    row = session.execute(
        select(LeaseRow.holder, LeaseRow.expires_at)
        .where(LeaseRow.name.startswith(prefix, autoescape=True), LeaseRow.expires_at > now)
        .order_by(LeaseRow.name)
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])
