"""Fields a tenant does not keep as written (see ``orderbridge.domain.writes``)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from orderbridge.ports import FieldQuirk

from ._statements import execute, insert_for, table_of
from ._tables import FieldQuirkRow

__all__ = ["clear_field_quirks", "field_quirks", "record_field_quirk"]

FIELD_QUIRK = table_of(FieldQuirkRow)


def field_quirks(session: Session, tenant: str) -> list[FieldQuirk]:
    """The tenant's recorded quirks, by field."""
    rows = session.scalars(
        select(FieldQuirkRow).where(FieldQuirkRow.tenant == tenant).order_by(FieldQuirkRow.field)
    )
    return [
        FieldQuirk(r.field, r.record, r.wanted, r.found, r.config_digest, r.detected_at)
        for r in rows
    ]


def record_field_quirk(session: Session, tenant: str, quirk: FieldQuirk) -> bool:
    """Insert or replace the quirk of one field; True when it was not recorded before."""
    existing = session.get(FieldQuirkRow, (tenant, quirk.field))
    values = {
        "record": quirk.record,
        "wanted": quirk.wanted,
        "found": quirk.found,
        "config_digest": quirk.config_digest,
        "detected_at": quirk.detected_at,
    }
    insert = insert_for(session, FIELD_QUIRK).values(tenant=tenant, field=quirk.field, **values)
    execute(
        session,
        insert.on_conflict_do_update(
            index_elements=[FIELD_QUIRK.c.tenant, FIELD_QUIRK.c.field], set_=values
        ),
    )
    return existing is None or existing.config_digest != quirk.config_digest


def clear_field_quirks(session: Session, tenant: str) -> int:
    """Forget the tenant's quirks; returns how many there were."""
    return execute(session, delete(FIELD_QUIRK).where(FIELD_QUIRK.c.tenant == tenant)).rowcount
