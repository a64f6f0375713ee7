"""Machinery shared by the simulators: server runner, clock, faults, counters, admin routes."""

from .admin import admin_error, common_admin_routes, read_json, read_object
from .clock import SimClock
from .faults import FaultInjector, FaultKind, FaultRule
from .middleware import FaultResponder, SimulatorMiddleware
from .server import SimulatorServer
from .state import RequestRecord, SimState
from .ticker import LifecycleTicker, parse_period

__all__ = [
    "FaultInjector",
    "FaultKind",
    "FaultResponder",
    "FaultRule",
    "LifecycleTicker",
    "RequestRecord",
    "SimClock",
    "SimState",
    "SimulatorMiddleware",
    "SimulatorServer",
    "admin_error",
    "common_admin_routes",
    "parse_period",
    "read_json",
    "read_object",
]
