"""What the records and notification work leaves in the store: audit writes, notices, quirks.

Kept apart from ``seed_orders`` so the tests that count notifications start from none.
"""

from __future__ import annotations

from datetime import timedelta

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.domain.digest import DigestMode
from orderbridge.domain.notices import EventKind, Notice, OrderFacts
from orderbridge.domain.notify_rules import PendingNotification
from orderbridge.domain.records import AuditEntry, AuditKind
from orderbridge.ports import FieldQuirk

from .seed import HOSTILE, NOW


def write(
    po_number: str,
    field: str,
    before: str | None,
    after: str | None,
    *,
    minutes_ago: int,
    stuck: bool = True,
    error: str | None = None,
    item_id: int | None = None,
) -> AuditEntry:
    """One Autotask write as the audited gateway records it."""
    return AuditEntry(
        at=NOW - timedelta(minutes=minutes_ago),
        kind=AuditKind.AUTOTASK_WRITE,
        field=field,
        before=before,
        after=after,
        po_number=po_number,
        po_id=6,
        item_id=item_id,
        run_id=1,
        stuck=stuck,
        error=error,
    )


def _notice(po_number: str, kind: EventKind, channel: str) -> PendingNotification:
    return PendingNotification(
        channel=channel,
        notice=Notice(kind, f"{po_number}:{kind}", po_number, f"PO {po_number}: {kind}"),
        facts=OrderFacts(po_number),
        rule=1,
        digest=DigestMode.IMMEDIATE,
        due_at=NOW - timedelta(hours=1),
    )


def seed_records(store: SqlStore) -> None:
    """PO-1006 gets three writes (hostile text, a refusal), a sent and a failed notice; a
    settings change and another PO's write must not show on it; one field does not stick."""
    RecordsStore(store).record_audit(
        DEFAULT_TENANT,
        [
            write("PO-1006", "shipDate", None, "2026-12-01", minutes_ago=30),
            write("PO-1006", "memo", "old memo", HOSTILE, minutes_ago=20),
            write(
                "PO-1006",
                "vendorInvoiceNumber",
                None,
                "INV-9",
                minutes_ago=10,
                stuck=False,
                error=f"refused: {HOSTILE}",
                item_id=77,
            ),
            write("PO-1001", "memo", None, "elsewhere", minutes_ago=5),
            AuditEntry(
                at=NOW - timedelta(minutes=1),
                kind=AuditKind.SETTING_CHANGE,
                field="enabled",
                before="true",
                after="false",
                actor="ada",
            ),
        ],
    )
    store.enqueue_notifications(
        DEFAULT_TENANT,
        [
            _notice("PO-1006", EventKind.SHIPPED, "desk-email"),
            _notice("PO-1006", EventKind.SHIPPED, "teams"),
            _notice("PO-1001", EventKind.SHIPPED, "desk-email"),
        ],
        NOW - timedelta(hours=1),
    )
    sent, failed, _ = sorted(
        store.claim_notifications(DEFAULT_TENANT, NOW, claim_s=60),
        key=lambda n: (n.facts.po_number != "PO-1006", n.channel),
    )
    store.mark_notifications_sent([sent.id], NOW, ["desk@msp.example", "buyer@msp.example"])
    store.mark_notifications_failed([failed.id], NOW, f"webhook said {HOSTILE}", None)
    store.record_field_quirk(
        DEFAULT_TENANT,
        FieldQuirk("purchaseOrder.shipDate", "PurchaseOrder", HOSTILE, "2026-11-30", "d1", NOW),
    )
