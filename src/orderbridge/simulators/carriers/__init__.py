"""Local simulators of the carriers' tracking APIs (UPS, FedEx, USPS, DHL).

Example::

    from orderbridge.simulators.carriers import CarrierSimulator

    sim = CarrierSimulator("ups")
    sim.load_scenario("demo")
"""

from __future__ import annotations

from .config import CarrierSimConfig, default_config
from .packages import CARRIERS, PackageBook, PackageRecord, ScanEvent, ScanStatus
from .simulator import CarrierSimulator, serve

__all__ = [
    "CARRIERS",
    "CarrierSimConfig",
    "CarrierSimulator",
    "PackageBook",
    "PackageRecord",
    "ScanEvent",
    "ScanStatus",
    "default_config",
    "serve",
]
