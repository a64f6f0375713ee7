"""Records kept for people: what each export holds, and how a value is made safe for a sheet.

The export columns are a contract (docs/records.md lists them); add columns at the end, never
rename or reorder. The store yields rows keyed by these names; the writers put them in this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "ARCHIVABLE_STATUSES",
    "EXPORT_COLUMNS",
    "FORMULA_TRIGGERS",
    "AuditEntry",
    "AuditKind",
    "ExportFormat",
    "ExportKind",
    "RetentionCutoffs",
    "RetentionPolicy",
    "audit_text",
    "cell_text",
    "json_value",
    "neutralise_formula",
]


class ExportKind(StrEnum):
    """What ``orderbridge export`` can write."""

    ORDERS = "orders"
    HISTORY = "history"
    RUNS = "runs"
    AUDIT = "audit"
    NOTIFICATIONS = "notifications"


EXPORT_COLUMNS: dict[ExportKind, tuple[str, ...]] = {
    ExportKind.ORDERS: (
        "po_number",
        "po_id",
        "status",
        "archived",
        "archived_at",
        "first_seen_at",
        "updated_at",
        "checked_at",
        "shipped_at",
        "delivered_on",
        "invoiced_at",
        "expected_ship_date",
        "expected_delivery",
        "td_synnex_orders",
        "tracking_numbers",
        "carriers",
        "invoice_numbers",
        "invoice_total",
        "freight",
    ),
    ExportKind.HISTORY: (
        "po_number",
        "at",
        "from_status",
        "to_status",
        "source",
        "summary",
        "recorded_at",
    ),
    ExportKind.RUNS: (
        "run_id",
        "started_at",
        "finished_at",
        "outcome",
        "monitored",
        "checked",
        "updated",
        "unchanged",
        "failed",
        "skipped",
        "requests",
        "error",
    ),
    ExportKind.AUDIT: (
        "audit_id",
        "at",
        "kind",
        "actor",
        "run_id",
        "po_number",
        "po_id",
        "item_id",
        "field",
        "before",
        "after",
        "stuck",
        "error",
    ),
    ExportKind.NOTIFICATIONS: (
        "notification_id",
        "created_at",
        "po_number",
        "kind",
        "channel",
        "recipients",
        "status",
        "event_key",
        "finished_at",
        "error",
    ),
}

# OWASP's list: a spreadsheet evaluates a cell starting with these as a formula. Tab and
# carriage return are included because some programs strip them and then see the next one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula; other text is unchanged."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell_text(value: object) -> str:
    """One CSV cell: ISO dates (UTC, ``YYYY-MM-DD HH:MM:SS``), plain numbers, safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _utc(value).isoformat(sep=" ", timespec="seconds")[:19]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal | float):
        return str(value)
    return neutralise_formula(str(value))


def json_value(value: object) -> object:
    """One JSON Lines value: ISO 8601 dates with offset, decimals as exact strings."""
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditKind(StrEnum):
    """What an audit entry records."""

    AUTOTASK_WRITE = "autotask write"
    SETTING_CHANGE = "setting change"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One write to Autotask (a field of a PO or an item) or one settings change.

    ``before`` is the value as read just before the write, ``after`` the value written, both as
    text (``audit_text``). ``stuck`` says whether the write took: True when Autotask accepted it,
    False when it refused (``error`` says why), None for settings changes.
    """

    at: datetime
    kind: AuditKind
    field: str
    before: str | None
    after: str | None
    po_number: str | None = None
    po_id: int | None = None
    item_id: int | None = None
    run_id: int | None = None
    actor: str | None = None
    stuck: bool | None = None
    error: str | None = None


def audit_text(value: object) -> str | None:
    """A field value as the audit trail keeps it: ISO dates, exact decimals, text as is."""
    if value is None:
        return None
    if isinstance(value, datetime | date | Decimal):
        return str(json_value(value))
    return str(value)


# Orders in these statuses no longer change at TD SYNNEX: once untouched for long enough they
# are archived. Rejected stays out: a rejected order usually needs a person, not a tidy list.
ARCHIVABLE_STATUSES = ("Closed", "Cancelled", "Not found")


@dataclass(frozen=True, slots=True)
class RetentionCutoffs:
    """Moments before which records are archived or removed (None: keep)."""

    archive_before: datetime
    activity_log_before: datetime
    audit_before: datetime | None


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """``[retention]``: how long orders stay active and how long logs are kept."""

    archive_after_days: int = 180
    activity_log_days: int = 365
    audit_days: int | None = None

    def cutoffs(self, now: datetime) -> RetentionCutoffs:
        """The cutoffs that apply at ``now``."""
        return RetentionCutoffs(
            archive_before=now - timedelta(days=self.archive_after_days),
            activity_log_before=now - timedelta(days=self.activity_log_days),
            audit_before=None if self.audit_days is None else now - timedelta(days=self.audit_days),
        )


class ExportFormat(StrEnum):
    """How ``orderbridge export`` writes rows."""

    CSV = "csv"
    JSONL = "jsonl"
