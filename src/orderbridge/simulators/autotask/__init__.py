"""A faithful local simulator of Autotask PSA's REST API (ATServicesRest v1.0).

Build it with ``AutotaskSimulator(AutotaskSimConfig())`` and serve ``sim.app`` with
``SimulatorServer``; ``serve(port)`` does both for the command line.
"""

from .config import AutotaskSimConfig
from .seeding import SeedSummary
from .simulator import AutotaskSimulator, build_server, serve

__all__ = ["AutotaskSimConfig", "AutotaskSimulator", "SeedSummary", "build_server", "serve"]
