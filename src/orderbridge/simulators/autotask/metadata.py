"""Discovery and metadata answers: zone, versions, thresholds and entityInformation."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from .config import AutotaskSimConfig
from .entities import EntityCatalog
from .errors import ApiError
from .limits import HourlyCounter
from .schema import EntitySpec

__all__ = [
    "base_url",
    "entity_fields",
    "entity_info",
    "global_entity_info",
    "query_param",
    "threshold_information",
    "user_defined_fields",
    "version_information",
    "zone_information",
]


def base_url(request: Request) -> str:
    """``{scheme}://{host}`` as the client addressed us."""
    return str(request.base_url).rstrip("/")


def query_param(request: Request, name: str) -> str | None:
    """A query-string parameter looked up case-insensitively, as ASP.NET binds them."""
    for key, value in request.query_params.multi_items():
        if key.lower() == name.lower():
            return value
    return None


def zone_information(request: Request, config: AutotaskSimConfig) -> dict[str, Any]:
    """The zone answer; the ``url`` points back at this simulator."""
    user = query_param(request, "user") or ""
    if user.strip().lower() != config.username.lower():
        raise ApiError("Zone information could not be determined")
    return {
        "zoneName": config.zone_name,
        "url": f"{base_url(request)}/ATServicesRest/",
        "webUrl": config.web_url,
        "ci": config.ci,
    }


def version_information(config: AutotaskSimConfig) -> dict[str, Any]:
    """The supported API versions (their exact spelling is UNCONFIRMED)."""
    return {"apiVersions": list(config.api_versions)}


def threshold_information(counter: HourlyCounter) -> dict[str, Any]:
    """Usage of the hourly request threshold, this call included."""
    return {
        "externalRequestThreshold": counter.threshold,
        "requestThresholdTimeframe": int(counter.timeframe.total_seconds() // 60),
        "currentTimeframeRequestCount": counter.current(),
    }


def entity_info(entity: EntitySpec) -> dict[str, Any]:
    """``/{Entity}/entityInformation``."""
    return {"info": entity.info_json()}


def entity_fields(entity: EntitySpec) -> dict[str, Any]:
    """``/{Entity}/entityInformation/fields``."""
    return {"fields": [spec.to_json() for spec in entity.fields]}


def user_defined_fields(entity: EntitySpec) -> dict[str, Any]:
    """``/{Entity}/entityInformation/userDefinedFields``: none are defined in the simulator."""
    return {"fields": []}


def global_entity_info(catalog: EntityCatalog) -> dict[str, Any]:
    """``/V1.0/EntityInformation``."""
    return {"entityDescriptions": [{"info": spec.info_json()} for spec in catalog.specs]}
