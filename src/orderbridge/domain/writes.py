"""What counts as written: lenient comparison, and fields a tenant does not keep.

Autotask may store something other than what was sent: CRLF for LF, trimmed trailing spaces, a
day kept in the tenant's own time zone, a cut to a length, or nothing at all for a field the API
user may not change (all UNCONFIRMED; ADR 22). Planning must not see a difference every cycle
and write forever, so:

- values that mean the same compare equal (line ends and trailing spaces of text; a day that
  reads back as that day in UTC or in the tenant's zone);
- a write is remembered per record and field (a digest of the value); when the same value is
  wanted again because the field reads back different, it is not written again: the field
  "does not stick". The tenant's quirk is recorded, and the field is not planned again for that
  tenant until its configuration changes or ``orderbridge resync`` clears the quirks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

__all__ = ["NotSticking", "WriteCheck", "normalised_text", "same_day", "same_text", "value_digest"]

_SHOWN = 120


def normalised_text(value: str | None) -> str:
    """Text as compared: LF line ends, no trailing spaces on lines, no trailing blank lines."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def same_text(current: str | None, wanted: str | None) -> bool:
    """Equal once line ends and trailing spaces are set aside (None and "" are the same)."""
    return normalised_text(current) == normalised_text(wanted)


def same_day(current: datetime | None, wanted: date, tenant_zone: tzinfo = UTC) -> bool:
    """Whether ``current`` is the day ``wanted``, read in UTC or in the tenant's zone."""
    if current is None:
        return False
    moment = current if current.tzinfo is not None else current.replace(tzinfo=UTC)
    return (
        moment.astimezone(UTC).date() == wanted or moment.astimezone(tenant_zone).date() == wanted
    )


def value_digest(value: object) -> str:
    """A short digest of a value as written (days by their date, text normalised)."""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).date().isoformat()
    elif isinstance(value, str):
        text = normalised_text(value)
    else:
        text = repr(value)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _shown(value: object) -> str:
    text = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else str(value or "")
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}…"


@dataclass(frozen=True, slots=True)
class NotSticking:
    """A field orderbridge wrote with this value before that reads back different again."""

    field: str  # for the whole tenant, e.g. "PurchaseOrder.additional_vendor_invoice_numbers"
    po_number: str
    record: str  # which record showed it, e.g. "item 4411"
    wanted: str
    found: str

    def describe(self) -> str:
        """One line for the activity log, ``status`` and the doctor."""
        return (
            f"{self.field} does not stick: orderbridge wrote {self.wanted!r} to {self.po_number} "
            f"({self.record}) and Autotask reads back {self.found!r}; it is no longer written "
            "for this tenant until the configuration changes or `orderbridge resync` is run"
        )


@dataclass
class WriteCheck:
    """Decides, field by field, whether a differing value is written (see the module notes)."""

    po_number: str
    written: Mapping[str, str] = field(default_factory=dict)
    stuck: frozenset[str] = frozenset()
    new: dict[str, str] = field(default_factory=dict)
    not_sticking: list[NotSticking] = field(default_factory=list)

    def allow(
        self, tenant_field: str, record: str, key: str, wanted: object, current: object
    ) -> bool:
        """Whether to write ``wanted`` over ``current`` (which the caller found different)."""
        if tenant_field in self.stuck:
            return False
        digest = value_digest(wanted)
        if self.written.get(key) == digest:
            self.not_sticking.append(
                NotSticking(tenant_field, self.po_number, record, _shown(wanted), _shown(current))
            )
            return False
        self.new[key] = digest
        return True
