"""The Autotask simulator's own admin routes under ``/_sim/`` (next to the shared ones)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orderbridge.simulators._common import admin_error, read_json, read_object
from orderbridge.simulators.scenario import (
    ScenarioError,
    ScenarioOrder,
    builtin_scenario,
    parse_scenario,
)

if TYPE_CHECKING:
    from .simulator import AutotaskSimulator

__all__ = ["autotask_admin_routes"]


def _int_or_none(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"'{key}' must be a whole number of at least 0")
    return value


class _AutotaskAdmin:
    """Handlers of the Autotask-specific admin routes."""

    def __init__(self, sim: AutotaskSimulator) -> None:
        self.sim = sim

    async def post_scenario(self, request: Request) -> Response:
        """Load a posted scenario (YAML or JSON) or a built-in one (``?name=demo``)."""
        name = request.query_params.get("name")
        try:
            if name:
                scenario = builtin_scenario(name)
            else:
                scenario = parse_scenario(await request.body(), source="posted scenario")
            summary = self.sim.load_scenario(scenario)
        except ScenarioError as exc:
            return admin_error(str(exc))
        return JSONResponse(summary.to_json(), status_code=201)

    async def get_purchase_orders(self, request: Request) -> Response:
        """Every PO with its items."""
        orders = self.sim.purchase_orders()
        for order in orders:
            order["items"] = self.sim.items_of(order["id"])
        return JSONResponse({"purchase_orders": orders})

    async def post_purchase_order(self, request: Request) -> Response:
        """Create one PO from a scenario order (``?vendor=`` names its vendor)."""
        data, error = await read_json(request)
        if error is not None:
            return error
        try:
            order = ScenarioOrder.model_validate(data)
            po_id = self.sim.create_purchase_order(order, vendor=request.query_params.get("vendor"))
        except ValidationError as exc:
            return admin_error(f"not a scenario order: {exc.errors()[0]['msg']}")
        except ScenarioError as exc:
            return admin_error(str(exc))
        return JSONResponse(
            {
                "id": po_id,
                "purchase_order": self.sim.purchase_order(po_id),
                "items": self.sim.items_of(po_id),
            },
            status_code=201,
        )

    async def put_threshold(self, request: Request) -> Response:
        """Set the hourly threshold and/or the current request count."""
        data = await read_object(request, "the threshold body")
        if isinstance(data, JSONResponse):
            return data
        try:
            threshold = _int_or_none(data, "threshold")
            current = _int_or_none(data, "current")
        except ValueError as exc:
            return admin_error(str(exc))
        if threshold == 0:
            return admin_error("'threshold' must be at least 1")
        if threshold is not None:
            self.sim.counter.threshold = threshold
        if current is not None:
            self.sim.counter.set_current(current)
        return JSONResponse(self.sim.threshold_json())

    async def get_threshold(self, request: Request) -> Response:
        """The hourly threshold and the current request count."""
        return JSONResponse(self.sim.threshold_json())

    async def get_config(self, request: Request) -> Response:
        """The configuration, threshold usage and in-flight requests."""
        return JSONResponse(
            {
                **self.sim.config.to_json(),
                "threshold": self.sim.threshold_json(),
                "threads_in_flight": self.sim.threads.in_flight(),
            }
        )


def autotask_admin_routes(sim: AutotaskSimulator) -> list[Route]:
    """Scenario loading, PO dump and quick create, threshold control and the config view."""
    admin = _AutotaskAdmin(sim)
    return [
        Route("/_sim/scenario", admin.post_scenario, methods=["POST"]),
        Route("/_sim/purchase-orders", admin.get_purchase_orders, methods=["GET"]),
        Route("/_sim/purchase-orders", admin.post_purchase_order, methods=["POST"]),
        Route("/_sim/threshold", admin.put_threshold, methods=["PUT"]),
        Route("/_sim/threshold", admin.get_threshold, methods=["GET"]),
        Route("/_sim/config", admin.get_config, methods=["GET"]),
    ]
