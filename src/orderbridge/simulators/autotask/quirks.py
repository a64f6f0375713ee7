"""Tenant quirks a real Autotask may show on writes, each switchable (all off by default).

None of these is confirmed for Autotask; each is a way a tenant could store something other
than what was sent, and a client must not rewrite the field forever when one is on:

- ``ignored_fields``: fields accepted and silently not stored
  (``"PurchaseOrders.additionalVendorInvoiceNumbers"``);
- ``crlf_text``: text stored with CRLF line ends, and with trailing spaces of lines trimmed;
- ``date_zone``: date-times kept as a calendar day of this zone (stored as that day's local
  midnight), as a tenant that treats them as dates might;
- ``text_limits``: text silently cut to a length (``{"PurchaseOrders.generalMemo": 2000}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["WriteQuirks"]


@dataclass(frozen=True, slots=True)
class WriteQuirks:
    """Which write quirks the simulated tenant has."""

    ignored_fields: frozenset[str] = frozenset()
    crlf_text: bool = False
    date_zone: str | None = None
    text_limits: Mapping[str, int] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether any quirk is on."""
        return bool(self.ignored_fields or self.crlf_text or self.date_zone or self.text_limits)

    def apply(self, entity_path: str, values: dict[str, Any]) -> dict[str, Any]:
        """The values as this tenant stores them."""
        if not self.active:
            return values
        stored: dict[str, Any] = {}
        for name, value in values.items():
            key = f"{entity_path}.{name}"
            if key in self.ignored_fields:
                continue
            stored[name] = self._stored(key, value)
        return stored

    def _stored(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            if self.crlf_text:
                lines = value.replace("\r\n", "\n").split("\n")
                value = "\r\n".join(line.rstrip() for line in lines)
            limit = self.text_limits.get(key)
            return value[:limit] if limit is not None else value
        if isinstance(value, datetime) and self.date_zone is not None:
            zone = ZoneInfo(self.date_zone)
            day = value.astimezone(zone).date()
            return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
        return value
