"""Settings of one simulated Autotask database: credentials, picklists, limits, rule switches.

Everything the reference marks UNCONFIRMED (status integers, threshold behaviour, receiving on a
Received Full PO, the OR-condition limit) is a setting here, so no client can come to depend on
one guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .quirks import WriteQuirks

__all__ = ["DEFAULT_COMPANY_TYPES", "DEFAULT_STATUS_VALUES", "AutotaskSimConfig"]

DEFAULT_STATUS_VALUES: Mapping[str, int] = MappingProxyType(
    {"New": 1, "Submitted": 2, "Received Partial": 3, "Received Full": 4, "Canceled": 5}
)
DEFAULT_COMPANY_TYPES: Mapping[str, int] = MappingProxyType(
    {"Customer": 1, "Lead": 2, "Prospect": 3, "Dead": 4, "Vendor": 7, "Partner": 8}
)
_STATUS_LABELS = ("New", "Submitted", "Received Partial", "Received Full", "Canceled")


def _default_create_only() -> dict[str, frozenset[str]]:
    return {
        "PurchaseOrders": frozenset({"vendorID", "purchaseOrderNumber"}),
        "PurchaseOrderItems": frozenset({"orderID"}),
        "TicketNotes": frozenset({"ticketID"}),
    }


@dataclass
class AutotaskSimConfig:
    """How the simulated Autotask tenant looks and behaves. Every field has a sensible default."""

    username: str = "api-user@example.com"
    secret: str = "simulator-secret"  # noqa: S105 - a fixed test credential, not a secret
    integration_code: str = "ORDERBRIDGESIMULATOR0000000"
    zone_name: str = "Simulator"
    web_url: str = "http://127.0.0.1/"
    ci: int = 100001
    api_versions: tuple[str, ...] = ("1.0",)
    # PurchaseOrders.status picklist, label -> value; the real integers are UNCONFIRMED.
    status_values: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_STATUS_VALUES))
    company_types: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_COMPANY_TYPES))
    hourly_threshold: int = 10_000
    threshold_timeframe_minutes: int = 60
    thread_limit: int = 3
    latency_at_50_percent_s: float = 0.0
    latency_at_75_percent_s: float = 0.0
    processing_delay_s: float = 0.0  # added to every API request while it holds a thread slot
    page_size_limit: int = 500
    max_or_conditions: int = 500
    paging_cursors_kept: int = 10_000  # how many paging tokens stay valid (UNCONFIRMED)
    receive_on_received_full: bool = False  # UNCONFIRMED: a Received Full PO refuses receipts
    roll_up_status_on_receipt: bool = True  # UNCONFIRMED: receipts move the PO status
    create_only_fields: Mapping[str, frozenset[str]] = field(default_factory=_default_create_only)
    inventory_location_name: str = "Main Warehouse"
    # How this tenant may store something other than what was written (all off: see quirks.py).
    write_quirks: WriteQuirks = field(default_factory=WriteQuirks)

    def __post_init__(self) -> None:
        missing = [label for label in _STATUS_LABELS if label not in self.status_values]
        if missing:
            raise ValueError(f"status_values lacks the labels {missing}")
        if "Vendor" not in self.company_types:
            raise ValueError("company_types must include 'Vendor'")
        if len(set(self.status_values.values())) != len(self.status_values):
            raise ValueError("status_values must map each label to a distinct integer")
        if self.page_size_limit < 1:
            raise ValueError("page_size_limit must be at least 1")
        if self.thread_limit < 1 or self.hourly_threshold < 1:
            raise ValueError("thread_limit and hourly_threshold must be at least 1")

    def status(self, label: str) -> int:
        """The integer for a PurchaseOrders.status label."""
        return self.status_values[label]

    def to_json(self) -> dict[str, object]:
        """The configuration as admin-API JSON (the secret included: it is a simulator)."""
        return {
            "username": self.username,
            "secret": self.secret,
            "integration_code": self.integration_code,
            "zone_name": self.zone_name,
            "api_versions": list(self.api_versions),
            "status_values": dict(self.status_values),
            "company_types": dict(self.company_types),
            "hourly_threshold": self.hourly_threshold,
            "threshold_timeframe_minutes": self.threshold_timeframe_minutes,
            "thread_limit": self.thread_limit,
            "latency_at_50_percent_s": self.latency_at_50_percent_s,
            "latency_at_75_percent_s": self.latency_at_75_percent_s,
            "processing_delay_s": self.processing_delay_s,
            "page_size_limit": self.page_size_limit,
            "max_or_conditions": self.max_or_conditions,
            "paging_cursors_kept": self.paging_cursors_kept,
            "receive_on_received_full": self.receive_on_received_full,
            "roll_up_status_on_receipt": self.roll_up_status_on_receipt,
            "create_only_fields": {k: sorted(v) for k, v in self.create_only_fields.items()},
        }
