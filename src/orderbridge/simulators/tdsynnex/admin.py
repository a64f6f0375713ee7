"""The TD SYNNEX simulator's own admin routes: scenarios, orders and lifecycle steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orderbridge.simulators._common import admin_error, read_json, read_object
from orderbridge.simulators.scenario import (
    ScenarioError,
    ScenarioOrder,
    TdErrorStyle,
    TdState,
    builtin_scenario,
    parse_scenario,
)

if TYPE_CHECKING:
    from .simulator import TdSynnexSimulator

__all__ = ["admin_routes"]


def admin_routes(sim: TdSynnexSimulator) -> list[Route]:
    """``/_sim/scenario``, ``/_sim/orders[...]``, ``/_sim/advance`` and ``/_sim/error-style``."""

    async def post_scenario(request: Request) -> Response:
        name = request.query_params.get("name")
        replace = request.query_params.get("replace", "true").lower() != "false"
        try:
            if name:
                scenario = builtin_scenario(name)
            else:
                scenario = parse_scenario(await request.body(), source="posted scenario")
            count = sim.load_scenario(scenario, replace=replace)
        except ScenarioError as exc:
            return admin_error(str(exc))
        return JSONResponse({"loaded": count, "name": scenario.name, "orders": len(sim.orders)})

    async def get_orders(request: Request) -> Response:
        wanted = request.query_params.get("state")
        records = [r for r in sim.orders if wanted is None or r.state.value == wanted]
        return JSONResponse({"orders": [r.summary() for r in records]})

    async def post_order(request: Request) -> Response:
        data = await read_object(request, "an order")
        if isinstance(data, JSONResponse):
            return data
        try:
            order = ScenarioOrder.model_validate(data)
            if sim.orders.get(order.po_number) is not None:
                return admin_error(f"an order with PO number {order.po_number!r} exists already")
            sim.add_order(order, request.query_params.get("customer_number"))
        except ValidationError as exc:
            return admin_error(f"not a valid scenario order: {exc.errors()[0]['msg']}")
        except ScenarioError as exc:
            return admin_error(str(exc))
        return JSONResponse(sim.record(order.po_number).summary(), status_code=201)

    async def get_order(request: Request) -> Response:
        record = sim.orders.get(request.path_params["po"])
        if record is None:
            return admin_error(f"no order with PO number {request.path_params['po']!r}", 404)
        return JSONResponse(record.summary())

    async def post_advance_one(request: Request) -> Response:
        po = request.path_params["po"]
        data, error = await read_json(request)
        if error is not None:
            return error
        to = data.get("to") if isinstance(data, dict) else None
        if sim.orders.get(po) is None:
            return admin_error(f"no order with PO number {po!r}", 404)
        try:
            state = sim.advance(po, None if to is None else TdState(str(to)))
        except ValueError as exc:
            return admin_error(str(exc))
        return JSONResponse({"po_number": po, "state": state.value})

    async def post_advance_all(request: Request) -> Response:
        return JSONResponse({"moved": sim.advance_all()})

    async def error_style(request: Request) -> Response:
        if request.method == "PUT":
            data, error = await read_json(request)
            if error is not None:
                return error
            style = data.get("style") if isinstance(data, dict) else None
            try:
                sim.error_style = TdErrorStyle(str(style))
            except ValueError:
                known = ", ".join(s.value for s in TdErrorStyle)
                return admin_error(f"'style' must be one of: {known}")
        return JSONResponse({"style": sim.error_style.value})

    return [
        Route("/_sim/scenario", post_scenario, methods=["POST"]),
        Route("/_sim/orders", get_orders, methods=["GET"]),
        Route("/_sim/orders", post_order, methods=["POST"]),
        Route("/_sim/orders/{po:path}/advance", post_advance_one, methods=["POST"]),
        Route("/_sim/orders/{po:path}", get_order, methods=["GET"]),
        Route("/_sim/advance", post_advance_all, methods=["POST"]),
        Route("/_sim/error-style", error_style, methods=["GET", "PUT"]),
    ]
