"""Autotask's error shapes: ``{"errors": [...]}`` for API errors, ``{"Message": ...}`` else."""

from __future__ import annotations

from starlette.responses import JSONResponse

__all__ = [
    "ApiError",
    "MethodNotAllowed",
    "RouteNotFound",
    "errors_response",
    "message_response",
]


class ApiError(Exception):
    """An error the simulated API answers with ``{"errors": [...]}`` (HTTP 500 unless told)."""

    def __init__(self, *messages: str, status: int = 500) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)
        self.status = status

    def response(self) -> JSONResponse:
        """The HTTP answer for this error."""
        return errors_response(self.messages, self.status)


class MethodNotAllowed(Exception):
    """The ASP.NET-style 405 for a verb a resource does not support."""

    def __init__(self, method: str) -> None:
        super().__init__(method)
        self.method = method

    def response(self) -> JSONResponse:
        """The HTTP answer for this error."""
        return message_response(
            f"The requested resource does not support http method '{self.method}'.", 405
        )


class RouteNotFound(Exception):
    """The ASP.NET-style 404 for a URL no route matches."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    def response(self) -> JSONResponse:
        """The HTTP answer for this error."""
        return message_response(
            f"No HTTP resource was found that matches the request URI '{self.url}'.", 404
        )


def errors_response(messages: list[str], status: int = 500) -> JSONResponse:
    """An ``{"errors": [...]}`` answer."""
    return JSONResponse({"errors": messages}, status_code=status)


def message_response(message: str, status: int) -> JSONResponse:
    """An ASP.NET ``{"Message": ...}`` answer."""
    return JSONResponse({"Message": message}, status_code=status)
