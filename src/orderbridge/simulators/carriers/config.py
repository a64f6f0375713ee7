"""What one simulated carrier accepts: credentials, token lifetime, limits, batch size."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["CarrierSimConfig", "default_config"]

# Token lifetimes from the reference: UPS 14399 s, FedEx 3599 s, USPS 28799 s; DHL has none.
_LIFETIMES = {"ups": 14_399, "fedex": 3_599, "usps": 28_799, "dhl": 0}


@dataclass(frozen=True, slots=True)
class CarrierSimConfig:
    """Credentials and limits of one simulated carrier (changeable through ``/_sim/config``)."""

    carrier: str
    client_id: str = "sim-client"
    client_secret: str = "sim-secret"  # noqa: S105 (a made-up simulator credential)
    api_key: str = "sim-dhl-key"
    token_lifetime_s: int = 3_599
    hourly_limit: int | None = None  # USPS: 60 calls an hour on the default product
    daily_limit: int | None = None  # DHL: 250 calls a day at the starter level
    batch_limit: int = 1  # FedEx: 30 numbers per request
    tracking_scope: bool = True  # USPS: False = the account lacks the tracking product

    def updated(self, data: dict[str, Any]) -> CarrierSimConfig:
        """A copy with admin-API values applied (``ValueError`` on unknown keys or bad types)."""
        allowed = {f.name for f in fields(self)} - {"carrier"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        changes: dict[str, Any] = {}
        for key, value in data.items():
            current = getattr(self, key)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
            elif key in ("hourly_limit", "daily_limit") and value is None:
                pass
            elif isinstance(current, int) or key in ("hourly_limit", "daily_limit"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{key} must be a whole number >= 0")
            elif not isinstance(value, str):
                raise ValueError(f"{key} must be a string")
            changes[key] = value
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """Admin-API view (the sim's made-up secrets are not secret)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def default_config(carrier: str) -> CarrierSimConfig:
    """The carrier's defaults as the reference gives them."""
    name = carrier.casefold()
    return CarrierSimConfig(
        carrier=name,
        token_lifetime_s=_LIFETIMES[name],
        hourly_limit=60 if name == "usps" else None,
        daily_limit=250 if name == "dhl" else None,
        batch_limit=30 if name == "fedex" else 1,
    )
