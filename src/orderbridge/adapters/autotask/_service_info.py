"""Answers about the service itself: zone discovery (and base-URL normalisation), thresholds.

``zoneInformation`` returns the zone's ``url`` without the version segment (and sometimes with a
doubled slash); every request this adapter sends goes to ``<zone url>/V1.0/...``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from orderbridge.ports import ThresholdInfo

from ._errors import BadPayload

__all__ = [
    "DEFAULT_ZONE_LOOKUP_URL",
    "ThresholdInfo",
    "api_base",
    "threshold_from_json",
    "zone_url_from_json",
]

DEFAULT_ZONE_LOOKUP_URL = "https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation"
_VERSION = re.compile(r"/v1\.0/?$", re.IGNORECASE)


def api_base(url: str) -> str:
    """``url`` as a versioned API base that ends in ``/V1.0/`` (any existing casing kept)."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep or not rest:
        raise BadPayload(f"not an absolute URL: {url!r}")
    rest = re.sub("/{2,}", "/", rest)
    if _VERSION.search(rest):
        return f"{scheme}://{rest.rstrip('/')}/"
    return f"{scheme}://{rest.rstrip('/')}/V1.0/"


def zone_url_from_json(payload: object) -> str:
    """The API base from a ``zoneInformation`` answer."""
    url = None
    if isinstance(payload, Mapping):
        url = next((v for k, v in payload.items() if str(k).lower() == "url"), None)
    if not isinstance(url, str) or not url.strip():
        raise BadPayload("zoneInformation answer has no 'url'")
    return api_base(url)


def threshold_from_json(payload: object) -> ThresholdInfo:
    """A ``ThresholdInformation`` answer as ``ThresholdInfo``."""
    names = {
        "externalrequestthreshold": "threshold",
        "requestthresholdtimeframe": "timeframe_minutes",
        "currenttimeframerequestcount": "current",
    }
    found: dict[str, int] = {}
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            target = names.get(str(key).lower())
            if target and isinstance(value, int) and not isinstance(value, bool):
                found[target] = value
    missing = sorted(set(names.values()) - set(found))
    if missing:
        raise BadPayload(f"ThresholdInformation answer lacks numeric {', '.join(missing)}")
    return ThresholdInfo(**found)
