"""The admin API every simulator serves under ``/_sim/``: faults, counters, log, clock, reset.

Service-specific admin routes (scenarios, orders, lifecycle steps) are added by each simulator.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import FaultRule
from .state import SimState

__all__ = ["admin_error", "common_admin_routes", "read_json"]


def admin_error(message: str, status: int = 400) -> JSONResponse:
    """A readable admin-API error."""
    return JSONResponse({"error": message}, status_code=status)


async def read_json(request: Request) -> tuple[Any, JSONResponse | None]:
    """Decode a JSON admin body; the second item is an error response when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return {}, None
    try:
        return json.loads(raw), None
    except ValueError as exc:
        return None, admin_error(f"request body is not valid JSON: {exc}")


async def read_object(request: Request, what: str) -> dict[str, Any] | JSONResponse:
    """A JSON object admin body, or the error response to return (``what`` names the body)."""
    data, error = await read_json(request)
    if error is not None:
        return error
    if not isinstance(data, dict):
        return admin_error(f"{what} must be a JSON object")
    return data


def common_admin_routes(state: SimState, *, on_reset: Callable[[], None]) -> list[Route]:
    """Routes for faults, counters, the request log, the clock and a full reset."""

    async def get_counters(request: Request) -> Response:
        return JSONResponse(state.counters())

    async def delete_counters(request: Request) -> Response:
        state.reset_observations()
        return JSONResponse(state.counters())

    async def get_requests(request: Request) -> Response:
        endpoint = request.query_params.get("endpoint")
        try:
            limit = int(request.query_params.get("limit", "200"))
        except ValueError:
            return admin_error("'limit' must be a whole number")
        records = state.requests(endpoint=endpoint, limit=limit)
        return JSONResponse({"requests": [r.to_json() for r in records]})

    async def get_faults(request: Request) -> Response:
        return JSONResponse({"faults": [r.to_json() for r in state.faults.rules()]})

    async def post_faults(request: Request) -> Response:
        data, error = await read_json(request)
        if error is not None:
            return error
        items = data if isinstance(data, list) else [data]
        if "seed" in (data if isinstance(data, dict) else {}):
            state.faults.seed(int(data.pop("seed")))
            if "kind" not in data:
                return JSONResponse({"faults": [r.to_json() for r in state.faults.rules()]})
        try:
            rules = [FaultRule.from_json(item) for item in items if isinstance(item, dict)]
        except (TypeError, ValueError) as exc:
            return admin_error(str(exc))
        if len(rules) != len(items):
            return admin_error("a fault rule must be a JSON object")
        added = [state.faults.add(rule).to_json() for rule in rules]
        return JSONResponse({"faults": added}, status_code=201)

    async def delete_faults(request: Request) -> Response:
        state.faults.clear()
        return JSONResponse({"faults": []})

    async def delete_fault(request: Request) -> Response:
        try:
            rule_id = int(request.path_params["rule_id"])
        except ValueError:
            return admin_error("fault id must be a whole number")
        if not state.faults.remove(rule_id):
            return admin_error(f"no fault rule with id {rule_id}", 404)
        return JSONResponse({"removed": rule_id})

    async def get_clock(request: Request) -> Response:
        return JSONResponse({"now": state.clock.now().isoformat(), "pinned": state.clock.pinned})

    async def put_clock(request: Request) -> Response:
        data = await read_object(request, "the clock body")
        if isinstance(data, JSONResponse):
            return data
        try:
            if data.get("release"):
                state.clock.release()
            elif "now" in data:
                state.clock.set(datetime.fromisoformat(str(data["now"]).replace("Z", "+00:00")))
            elif "advance_seconds" in data:
                state.clock.advance(timedelta(seconds=float(data["advance_seconds"])))
            else:
                return admin_error("give 'now' (ISO time), 'advance_seconds' or 'release': true")
        except ValueError as exc:
            return admin_error(f"bad clock value: {exc}")
        return JSONResponse({"now": state.clock.now().isoformat(), "pinned": state.clock.pinned})

    async def post_reset(request: Request) -> Response:
        state.reset()
        on_reset()
        return JSONResponse({"reset": True})

    return [
        Route("/_sim/counters", get_counters, methods=["GET"]),
        Route("/_sim/counters", delete_counters, methods=["DELETE"]),
        Route("/_sim/requests", get_requests, methods=["GET"]),
        Route("/_sim/faults", get_faults, methods=["GET"]),
        Route("/_sim/faults", post_faults, methods=["POST"]),
        Route("/_sim/faults", delete_faults, methods=["DELETE"]),
        Route("/_sim/faults/{rule_id}", delete_fault, methods=["DELETE"]),
        Route("/_sim/clock", get_clock, methods=["GET"]),
        Route("/_sim/clock", put_clock, methods=["PUT", "POST"]),
        Route("/_sim/reset", post_reset, methods=["POST"]),
    ]
