"""Carrier-tracking clients (UPS, FedEx, USPS, DHL) behind the ``CarrierTracker`` port.

Example::

    tracker = build_tracker(CarrierAccount("UPS", client_id="...", client_secret="..."))
    replies = await tracker.track(["1Z999AA10123456784"])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx2

from orderbridge.adapters._retry import RetryPolicy

from ._client import CarrierHttp
from ._dhl import DhlTracker
from ._errors import (
    CarrierAuthFailed,
    CarrierBadPayload,
    CarrierError,
    CarrierRateLimited,
    CarrierUnavailable,
    CarrierWindowSpent,
)
from ._fedex import FedExTracker
from ._limits import RequestWindow
from ._ups import UpsTracker
from ._usps import UspsTracker

__all__ = [
    "CARRIER_DEFAULTS",
    "CarrierAccount",
    "CarrierAuthFailed",
    "CarrierBadPayload",
    "CarrierDefaults",
    "CarrierError",
    "CarrierRateLimited",
    "CarrierUnavailable",
    "CarrierWindowSpent",
    "DhlTracker",
    "FedExTracker",
    "Tracker",
    "UpsTracker",
    "UspsTracker",
    "build_tracker",
]

Tracker = UpsTracker | FedExTracker | UspsTracker | DhlTracker


@dataclass(frozen=True, slots=True)
class CarrierDefaults:
    """A carrier's production host and the rate limits assumed when none is configured."""

    base_url: str
    per_hour: int | None
    per_day: int | None


# Limits from the reference: USPS 60/hour on the default product, DHL 250/day (starter);
# UPS publishes none; FedEx allows 1,400 per 10 s, far beyond what orderbridge sends.
CARRIER_DEFAULTS: dict[str, CarrierDefaults] = {
    "ups": CarrierDefaults("https://onlinetools.ups.com", 2_000, None),
    "fedex": CarrierDefaults("https://apis.fedex.com", 10_000, None),
    "usps": CarrierDefaults("https://apis.usps.com", 60, None),
    "dhl": CarrierDefaults("https://api-eu.dhl.com", None, 250),
}


@dataclass(frozen=True, slots=True)
class CarrierAccount:
    """One carrier's configured credentials, host and limits (``name``: ups/fedex/usps/dhl)."""

    name: str
    client_id: str = ""
    client_secret: str = ""
    api_key: str = ""
    base_url: str | None = None
    per_hour: int | None = None
    per_day: int | None = None
    timeout_s: float = 30.0
    max_wait_s: float = 10.0
    retry: RetryPolicy | None = None

    def __repr__(self) -> str:
        return f"CarrierAccount({self.name!r}, base_url={self.base_url!r})"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_tracker(
    account: CarrierAccount,
    *,
    clock: Callable[[], datetime] = _utc_now,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> Tracker:
    """The tracker for one configured carrier (``KeyError`` for an unknown carrier name)."""
    name = account.name.casefold()
    defaults = CARRIER_DEFAULTS[name]
    per_hour = account.per_hour if account.per_hour is not None else defaults.per_hour
    per_day = account.per_day if account.per_day is not None else defaults.per_day
    limits = [(n, timedelta(hours=h)) for n, h in ((per_hour, 1), (per_day, 24)) if n is not None]
    secrets = tuple(s for s in (account.client_secret, account.api_key) if s)
    http = CarrierHttp(
        name.upper() if name != "fedex" else "FedEx",
        account.base_url or defaults.base_url,
        window=RequestWindow(limits, clock),
        clock=clock,
        secrets=secrets,
        timeout_s=account.timeout_s,
        max_wait_s=account.max_wait_s,
        retry=account.retry,
        transport=transport,
    )
    if name == "dhl":
        return DhlTracker(http, api_key=account.api_key, clock=clock)
    pair = {"client_id": account.client_id, "client_secret": account.client_secret}
    if name == "ups":
        return UpsTracker(http, clock=clock, **pair)
    if name == "fedex":
        return FedExTracker(http, clock=clock, **pair)
    return UspsTracker(http, clock=clock, **pair)
