"""Typed Autotask errors and the one place that turns an HTTP answer into one of them.

Each error is also the matching ``orderbridge.ports`` upstream error, so the application can
handle it without knowing Autotask. Autotask's status codes are misleading (an unknown user is a
500, a business rule is a 500, a thread-limit rejection may come with any status), so
classification reads the server's own error text as well as the status. Every error keeps that
text in its message; no request header (and so never the ``Secret``) is ever copied into an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx2

from orderbridge.adapters._retry import parse_retry_after
from orderbridge.error_texts import ErrorTexts
from orderbridge.ports import BudgetExhausted as PortBudgetExhausted
from orderbridge.ports import (
    UpstreamAuthError,
    UpstreamBadPayload,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from orderbridge.redaction import redact_bytes

__all__ = [
    "AuthFailed",
    "AutotaskError",
    "BadPayload",
    "BudgetExhausted",
    "ErrorTexts",
    "NotFoundError",
    "PermissionDenied",
    "QueryTooLarge",
    "RateLimited",
    "ThreadLimited",
    "Unavailable",
    "UnknownPicklistLabel",
    "ValidationFailed",
    "classify_response",
    "decode_answer",
    "fault_kind",
]


class AutotaskError(UpstreamError):
    """Base of every error the Autotask adapter raises."""

    service = "autotask"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: tuple[str, ...] = (),
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors
        self.endpoint = endpoint


class AuthFailed(AutotaskError, UpstreamAuthError):
    """The credentials, the integration code or the zone are wrong; retrying will not help."""


class PermissionDenied(AuthFailed):
    """The API user is known but its security level lacks a permission for this request."""


class RateLimited(AutotaskError, UpstreamRateLimited):
    """Autotask refused the request because of its request threshold (HTTP 429)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: tuple[str, ...] = (),
        endpoint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, errors=errors, endpoint=endpoint)
        self.retry_after = retry_after


_THREAD_THRESHOLD = re.compile(r"threshold of (\d+) threads?", re.IGNORECASE)


class ThreadLimited(RateLimited):
    """Too many concurrent requests on one entity endpoint (``Itgenatr005``)."""

    @property
    def limit(self) -> int | None:
        """The per-endpoint limit Autotask named ("thread threshold of 3 threads"), if any."""
        for text in (*self.errors, self.message):
            found = _THREAD_THRESHOLD.search(text)
            if found:
                return int(found.group(1))
        return None


class ValidationFailed(AutotaskError):
    """Autotask rejected the request itself: a business rule, a bad field, a wrong verb."""


class NotFoundError(AutotaskError):
    """The route or record does not exist."""


class BadPayload(AutotaskError, UpstreamBadPayload):
    """The answer was not the JSON this adapter expects (HTML page, wrong types, missing fields)."""


class Unavailable(AutotaskError, UpstreamUnavailable):
    """Autotask could not be reached or failed on its side (5xx, timeout, dropped connection).

    ``fault`` names what happened for the client's accounting: ``http_5xx``, ``timeout`` or
    ``dropped``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: tuple[str, ...] = (),
        endpoint: str | None = None,
        fault: str = "http_5xx",
    ) -> None:
        super().__init__(message, status=status, errors=errors, endpoint=endpoint)
        self.fault = fault


class BudgetExhausted(AutotaskError, PortBudgetExhausted):
    """orderbridge's own Autotask request budget is spent; the request was not sent.

    Deliberately not a ``RateLimited``: retrying at once cannot help, so the retry policy never
    repeats it. ``free_at`` says when requests may flow again.
    """

    def __init__(
        self,
        message: str,
        *,
        free_at: datetime,
        now: datetime,
        endpoint: str | None = None,
        database: str | None = None,
    ) -> None:
        super().__init__(message, status=None, endpoint=endpoint)
        self.free_at = free_at
        self.retry_after = max(0.0, (free_at - now).total_seconds())
        self.database = database


class QueryTooLarge(AutotaskError, ValueError):
    """A query breaks Autotask's documented limits and was not sent."""


class UnknownPicklistLabel(AutotaskError, LookupError):
    """A picklist label is not one of the tenant's choices."""

    def __init__(self, entity: str, field: str, label: str, choices: tuple[str, ...]) -> None:
        listed = ", ".join(repr(c) for c in choices) or "none"
        super().__init__(
            f"{entity}.{field} has no picklist value labelled {label!r}; choices are: {listed}",
            endpoint=entity,
        )
        self.label = label
        self.choices = choices


def fault_kind(error: Exception) -> str | None:
    """The accounting name of what went wrong with one request (``None``: nothing was sent)."""
    if isinstance(error, BudgetExhausted) or not isinstance(error, AutotaskError):
        return None
    if isinstance(error, ThreadLimited):
        return "thread_limit"
    if isinstance(error, RateLimited):
        return "http_429"
    if isinstance(error, Unavailable):
        return error.fault
    if isinstance(error, BadPayload):
        return "bad_payload"
    if isinstance(error, AuthFailed):
        return "auth"
    return "rejected"


def server_messages(body: bytes) -> tuple[str, ...] | None:
    """The server's own error strings from an ``{"errors": [...]}`` or ``{"Message": ...}`` body.

    ``None`` means the body is not JSON at all (an HTML error page, a truncated answer).
    """
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return ()
    found: list[str] = []
    for key, value in data.items():
        if key.lower() == "errors" and isinstance(value, list):
            found.extend(str(v) for v in value if v is not None)
        elif key.lower() in ("message", "error") and isinstance(value, str):
            found.append(value)
    return tuple(found)


def _mentions(text: str, fragments: tuple[str, ...]) -> bool:
    return any(fragment in text for fragment in fragments)


def classify_response(
    status: int,
    body: bytes,
    *,
    endpoint: str,
    retry_after: str | None = None,
    texts: ErrorTexts | None = None,
) -> AutotaskError:
    """The typed error for a non-2xx answer, keeping Autotask's own words in the message."""
    texts = texts or ErrorTexts()
    messages = server_messages(body)
    words = "; ".join(messages) if messages else ""
    said = f": {words}" if words else ""
    lowered = words.lower()
    where = f"Autotask {endpoint} answered HTTP {status}{said}"
    kw: dict[str, Any] = {"status": status, "errors": messages or (), "endpoint": endpoint}
    wait = parse_retry_after(retry_after)
    if _mentions(lowered, texts.thread_limit):
        return ThreadLimited(f"{where} (too many concurrent requests)", retry_after=wait, **kw)
    if status == 429:
        return RateLimited(f"{where} (request threshold reached)", retry_after=wait, **kw)
    if status == 401:
        return AuthFailed(f"{where} (check the API secret for this user)", **kw)
    if status == 403 or (status == 500 and _mentions(lowered, texts.permission)):
        return PermissionDenied(
            f"{where} (check the API user's security level and permissions)", **kw
        )
    if status == 500 and _mentions(lowered, texts.zone_unknown + texts.unknown_user):
        return AuthFailed(f"{where} (check the Autotask API username)", **kw)
    if status == 500 and _mentions(lowered, texts.integration_code):
        return AuthFailed(f"{where} (check the API integration code)", **kw)
    if status == 404:
        return NotFoundError(where, **kw)
    if status == 500 and messages:
        return ValidationFailed(where, **kw)
    if status >= 500:
        return Unavailable(where if words else f"{where} (no error details)", **kw)
    return ValidationFailed(where, **kw)


def decode_answer(
    endpoint: str,
    response: httpx2.Response,
    texts: ErrorTexts,
    *,
    secrets: Sequence[str] = (),
) -> Any:
    """The JSON of a successful answer (``None`` for an empty body), or the typed error.

    Server text quoted into an error has every credential value in ``secrets`` masked first:
    a misconfigured proxy or an echoing error page must not carry them into logs.
    """
    body = response.content
    if not response.is_success:
        body = redact_bytes(body, secrets)
        raise classify_response(
            response.status_code,
            body,
            endpoint=endpoint,
            retry_after=response.headers.get("Retry-After"),
            texts=texts,
        )
    if not body.strip():
        return None
    try:
        return response.json()
    except ValueError:
        start = redact_bytes(body[:200], secrets)[:80].decode("utf-8", errors="replace")
        raise BadPayload(
            f"Autotask {endpoint} answered HTTP {response.status_code} with a body that is "
            f"not JSON (starts {start!r})",
            status=response.status_code,
            endpoint=endpoint,
        ) from None
