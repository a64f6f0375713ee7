"""The three authentication headers and Autotask's inconsistent failure codes.

Unknown user name -> 500, right user but wrong secret -> 401, unknown integration code -> 500;
all with ``{"errors": [...]}`` bodies. Header names are case-insensitive like any HTTP header.
"""

from __future__ import annotations

from starlette.datastructures import Headers

from .config import AutotaskSimConfig
from .errors import ApiError

__all__ = ["check_credentials"]


def check_credentials(headers: Headers, config: AutotaskSimConfig) -> None:
    """Raise ``ApiError`` unless UserName, Secret and ApiIntegrationCode are all right."""
    user = headers.get("username", "")
    if user.strip().lower() != config.username.lower():
        raise ApiError(
            "Unable to authenticate: the user name is not recognised as an API user.", status=500
        )
    if headers.get("secret", "") != config.secret:
        raise ApiError("Unauthorized: the user name or secret is not valid.", status=401)
    if headers.get("apiintegrationcode", "").strip() != config.integration_code:
        raise ApiError(
            "Unable to authenticate: the API tracking identifier (integration code) is not valid.",
            status=500,
        )
