"""Carrier admin routes under ``/_sim/``: packages and their scans, config, tokens."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orderbridge.simulators._common import admin_error, read_json, read_object

from .packages import PackageRecord, ScanEvent

if TYPE_CHECKING:
    from .simulator import CarrierSimulator

__all__ = ["admin_routes", "package_from_json"]

_PACKAGE_KEYS = {
    "tracking_number",
    "shipped_at",
    "eta",
    "weight",
    "weight_unit",
    "dimensions",
    "dimension_unit",
    "signed_by",
    "left_at",
    "duplicate",
    "events",
}


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what} must be a number") from None
    if not number.is_finite() or number <= 0:
        raise ValueError(f"{what} must be a positive number")
    return number


def package_from_json(carrier: str, data: dict[str, Any], now: datetime) -> PackageRecord:
    """Build a package from admin-API JSON (``ValueError`` with a readable message)."""
    unknown = set(data) - _PACKAGE_KEYS
    if unknown:
        raise ValueError(f"unknown package keys: {sorted(unknown)}")
    number = str(data.get("tracking_number", "")).strip()
    if not number:
        raise ValueError("a package needs a tracking_number")
    shipped = data.get("shipped_at")
    shipped_at = datetime.fromisoformat(str(shipped).replace("Z", "+00:00")) if shipped else now
    if shipped_at.tzinfo is None:
        raise ValueError("shipped_at needs a UTC offset")
    events = data.get("events") or []
    if not isinstance(events, list):
        raise ValueError("events must be a list")
    dims = data.get("dimensions")
    if dims is not None and (not isinstance(dims, list) or len(dims) != 3):
        raise ValueError("dimensions must be [length, width, height]")
    eta = data.get("eta")
    return PackageRecord(
        carrier=carrier,
        tracking_number=number,
        shipped_at=shipped_at,
        events=tuple(ScanEvent.from_json(e, now) for e in events if isinstance(e, dict)),
        eta=date.fromisoformat(str(eta)) if eta else None,
        weight=None if data.get("weight") is None else _decimal(data["weight"], "weight"),
        weight_unit=str(data.get("weight_unit", "LB")),
        dimensions=None
        if dims is None
        else (
            _decimal(dims[0], "length"),
            _decimal(dims[1], "width"),
            _decimal(dims[2], "height"),
        ),
        dimension_unit=str(data.get("dimension_unit", "IN")),
        signed_by=data.get("signed_by"),
        left_at=data.get("left_at", "Front Door"),
        duplicate=bool(data.get("duplicate", False)),
    )


def admin_routes(sim: CarrierSimulator) -> list[Route]:
    """Routes to seed packages, add scans, change the config and count tokens."""

    async def get_packages(request: Request) -> Response:
        now = sim.state.clock.now()
        return JSONResponse({"packages": [p.to_json(now) for p in sim.book.all(sim.carrier)]})

    async def post_packages(request: Request) -> Response:
        data, error = await read_json(request)
        if error is not None:
            return error
        items = data if isinstance(data, list) else [data]
        try:
            built = [
                package_from_json(sim.carrier, item, sim.state.clock.now())
                for item in items
                if isinstance(item, dict)
            ]
        except (ValueError, TypeError) as exc:
            return admin_error(str(exc))
        if len(built) != len(items):
            return admin_error("a package must be a JSON object")
        now = sim.state.clock.now()
        return JSONResponse(
            {"packages": [sim.book.put(p).to_json(now) for p in built]}, status_code=201
        )

    async def post_event(request: Request) -> Response:
        data = await read_object(request, "an event")
        if isinstance(data, JSONResponse):
            return data
        try:
            event = ScanEvent.from_json(data, sim.state.clock.now())
            record = sim.book.add_event(sim.carrier, request.path_params["number"], event)
        except KeyError:
            return admin_error("no such package", 404)
        except (ValueError, TypeError) as exc:
            return admin_error(str(exc))
        return JSONResponse(record.to_json(sim.state.clock.now()), status_code=201)

    async def delete_packages(request: Request) -> Response:
        sim.book.clear()
        return JSONResponse({"packages": []})

    async def get_config(request: Request) -> Response:
        return JSONResponse(sim.config.to_json())

    async def put_config(request: Request) -> Response:
        data = await read_object(request, "config")
        if isinstance(data, JSONResponse):
            return data
        try:
            sim.config = sim.config.updated(data)
        except ValueError as exc:
            return admin_error(str(exc))
        return JSONResponse(sim.config.to_json())

    async def get_tokens(request: Request) -> Response:
        return JSONResponse({"issued": sim.access.tokens_issued})

    return [
        Route("/_sim/packages", get_packages, methods=["GET"]),
        Route("/_sim/packages", post_packages, methods=["POST"]),
        Route("/_sim/packages", delete_packages, methods=["DELETE"]),
        Route("/_sim/packages/{number}/events", post_event, methods=["POST"]),
        Route("/_sim/config", get_config, methods=["GET"]),
        Route("/_sim/config", put_config, methods=["PUT", "POST"]),
        Route("/_sim/tokens", get_tokens, methods=["GET"]),
    ]
