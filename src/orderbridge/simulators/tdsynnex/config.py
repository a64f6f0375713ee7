"""Settings of one TD SYNNEX simulator instance: accounts, wire quirks, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from zoneinfo import ZoneInfo

from orderbridge.simulators.scenario import TdErrorStyle

__all__ = ["FIELD_VERSIONS", "TdSynnexAccount", "TdSynnexSimConfig", "parse_version"]

# The protocol version that introduced each optional POStatus element. Single-source facts
# (UNCONFIRMED), so gating by version is off unless configured.
FIELD_VERSIONS: dict[str, tuple[int, ...]] = {
    "EstimatedDeliveryDate": (2, 6),
    "CarrierDeliveredDate": (2, 6),
    "EstimatedShipDate": (2, 7),
    "CustPOLineNo": (3, 0),
}


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """Read a ``version`` attribute such as ``2.7``; None when absent or not numeric."""
    if not text:
        return None
    try:
        return tuple(int(part) for part in text.strip().split("."))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class TdSynnexAccount:
    """One set of SynnexXML credentials and the reseller account they belong to."""

    user_id: str
    password: str
    customer_number: str


@dataclass(frozen=True)
class TdSynnexSimConfig:
    """How the simulated SynnexXML service behaves; every default mirrors the reference notes."""

    user_id: str = "api@reseller.example"
    password: str = "simulator-password"  # noqa: S105 - a documented simulator default
    customer_number: str = "123456"
    extra_accounts: tuple[TdSynnexAccount, ...] = ()
    uppercase_codes: bool = False
    allowed_ips: list[str] | None = None
    # The invoice query lives on another host that may need its own enablement and allow-list
    # entry (reference §3): None shares ``allowed_ips``; a list refuses other addresses there only.
    invoice_allowed_ips: list[str] | None = None
    max_body_bytes: int = 64 * 1024
    # None: emit every optional field. A version such as "2.6" drops fields introduced later.
    max_field_version: str | None = None
    # Let the request's ``version`` attribute gate optional fields as well (UNCONFIRMED upstream).
    honour_request_version: bool = False
    # Only application/xml and text/xml bodies are read; others get IncompleteXML01.
    strict_content_type: bool = True
    # The real wording of credential errors is UNCONFIRMED, so it is configurable.
    auth_error_message: str = "Login Failed"
    auth_error_detail: str = "UserID or Password is incorrect."
    customer_error_message: str = "Invalid Customer Number"
    ip_error_message: str = "IP Address Invalid"
    # Which error elements answer a refused request; which form is real is UNCONFIRMED.
    error_style: TdErrorStyle = TdErrorStyle.LOWER
    invoice_not_found_code: str = "1001"
    invoice_not_invoiced_code: str = "1002"
    ship_to_name: str = "Example MSP Inc"
    # The zone of the wall-clock times SynnexXML writes without an offset (UNCONFIRMED: the
    # guide's examples are Pacific). Dates are the calendar days of that zone.
    timezone: str = "America/Los_Angeles"
    _accounts: tuple[TdSynnexAccount, ...] = field(init=False, repr=False, default=())

    def __post_init__(self) -> None:
        primary = TdSynnexAccount(self.user_id, self.password, self.customer_number)
        object.__setattr__(self, "_accounts", (primary, *self.extra_accounts))

    @property
    def zone(self) -> tzinfo:
        """``timezone`` as a tzinfo."""
        return ZoneInfo(self.timezone)

    def accounts(self) -> tuple[TdSynnexAccount, ...]:
        """Every account the simulator accepts, the primary one first."""
        return self._accounts

    def field_cap(self) -> tuple[int, ...] | None:
        """The configured highest field version, or None for all fields."""
        return parse_version(self.max_field_version)
