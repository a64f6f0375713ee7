"""A local simulator of TD SYNNEX's SynnexXML B2B API (POStatus and invoice query).

Example::

    from orderbridge.simulators.tdsynnex import TdSynnexSimulator, TdSynnexSimConfig

    sim = TdSynnexSimulator(TdSynnexSimConfig())
    sim.load_scenario("demo")
    sim.advance("PO-10001")
"""

from __future__ import annotations

from .codes import SHIP_METHODS, WAREHOUSES, Variant
from .config import TdSynnexAccount, TdSynnexSimConfig
from .orders import OrderRecord
from .simulator import TdSynnexSimulator, serve

__all__ = [
    "SHIP_METHODS",
    "WAREHOUSES",
    "OrderRecord",
    "TdSynnexAccount",
    "TdSynnexSimConfig",
    "TdSynnexSimulator",
    "Variant",
    "serve",
]
