"""Typed errors of the TD SYNNEX adapter, and how error bodies map onto them.

TD SYNNEX answers most business and auth failures with HTTP 200 and an error element in the body
(``errorMessage``/``errorDetail``, ``ErrorMessage``/``ErrorDetail``, ``BizError/detail``, or
``InvoiceResponse/ErrorCode``+``ErrorReason``). The exact texts are only partly known, so the words
that mark an error as transient, an auth failure or "not found" are an ``ErrorVocabulary`` that
the configuration sets (``[tdsynnex] auth_error_texts`` and friends; these defaults are its
defaults). A text no word list recognises is ``UnrecognisedError``: it fails only the order it was
about, is never retried, and its message quotes the text and names the settings that would teach
orderbridge its meaning.

Every error carries the PO number (or TD SYNNEX order number) it was about, and a message a user can
act on. Messages never contain the password or the request body: server-supplied text is passed
through ``orderbridge.redaction.redact`` before it is quoted.
"""

from __future__ import annotations

from typing import Any

from orderbridge.error_texts import ErrorVocabulary
from orderbridge.ports import (
    UpstreamAuthError,
    UpstreamBadPayload,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)

__all__ = [
    "AuthFailed",
    "BadPayload",
    "ErrorVocabulary",
    "InvalidRequest",
    "IpNotAllowed",
    "RateLimited",
    "RequestRejected",
    "TdSynnexError",
    "TransientError",
    "UnrecognisedError",
    "classify_error",
    "fault_kind",
]


class TdSynnexError(UpstreamError):
    """Base of every TD SYNNEX adapter error; ``po_number`` names the order it was about."""

    service = "tdsynnex"

    def __init__(
        self, message: str, *, po_number: str | None = None, order_number: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.po_number = po_number
        self.order_number = order_number

    def __str__(self) -> str:
        subject = _subject(self.po_number, self.order_number)
        return f"{subject}: {self.message}" if subject else self.message


class AuthFailed(TdSynnexError, UpstreamAuthError):
    """TD SYNNEX refused the credentials or the caller's IP address; retrying will not help."""


class IpNotAllowed(AuthFailed):
    """TD SYNNEX refused this server's IP address: it is not on the account's allow-list."""


class TransientError(TdSynnexError, UpstreamUnavailable):
    """A failure that may pass on its own: server error, timeout, dropped connection.

    ``fault`` names what happened for the client's accounting: ``http_5xx`` (and 408),
    ``timeout``, ``dropped`` or ``transient_reply`` (a temporary error inside an answer).
    """

    def __init__(
        self,
        message: str,
        *,
        fault: str = "transient_reply",
        po_number: str | None = None,
        order_number: str | None = None,
    ) -> None:
        super().__init__(message, po_number=po_number, order_number=order_number)
        self.fault = fault


class RateLimited(TransientError, UpstreamRateLimited):
    """TD SYNNEX asked us to slow down; ``retry_after`` is its requested wait in seconds."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        po_number: str | None = None,
        order_number: str | None = None,
    ) -> None:
        super().__init__(message, fault="http_429", po_number=po_number, order_number=order_number)
        self.retry_after = retry_after


class BadPayload(TdSynnexError, UpstreamBadPayload):
    """The answer could not be read safely: not XML, hostile, oversized, HTML, or incomplete."""


class RequestRejected(TdSynnexError):
    """TD SYNNEX understood the request and refused it for a reason retrying will not change."""


class UnrecognisedError(RequestRejected):
    """TD SYNNEX answered an error text that no configured word list recognises.

    Failing closed: the order it was about fails with the quoted text, nothing is retried, and
    the run goes on. ``text`` is the (redacted, shortened) text as TD SYNNEX sent it.
    """

    def __init__(
        self,
        text: str,
        *,
        invoice_query: bool = False,
        po_number: str | None = None,
        order_number: str | None = None,
    ) -> None:
        meanings = [
            "the login was refused, add a distinctive part of it to [tdsynnex] auth_error_texts",
            "this server's IP address was refused, to [tdsynnex] ip_refusal_texts",
            "a temporary fault that passes on its own, to [tdsynnex] transient_error_texts",
        ]
        if invoice_query:
            meanings.append("the PO has no invoice yet, to [tdsynnex] not_found_texts")
        super().__init__(
            f"TD SYNNEX answered an error orderbridge does not know: {text!r}; if it means "
            + "; if ".join(meanings),
            po_number=po_number,
            order_number=order_number,
        )
        self.text = text


class InvalidRequest(TdSynnexError):
    """The request could not be built (for example a PO number with control characters)."""


_IP_HINT = (
    "TD SYNNEX rejected this server's IP address ({detail}). TD SYNNEX only answers registered "
    "static IP addresses: ask your TD SYNNEX account team to add this server's public IP address "
    "to the allow-list for your account."
)
_AUTH_HINT = (
    "TD SYNNEX rejected the credentials ({detail}). Check the customer number, user ID and "
    "password configured for this region."
)


def classify_error(
    message: str | None,
    detail: str | None,
    *,
    vocabulary: ErrorVocabulary,
    po_number: str | None = None,
    order_number: str | None = None,
    invoice_query: bool = False,
) -> TdSynnexError:
    """Turn an error element's message and detail into the matching typed error.

    A text none of the vocabulary's word lists recognises is an ``UnrecognisedError``.
    """
    shown = " - ".join(part for part in (message, detail) if part) or "no error text"
    shown = shown[:500]
    ids: dict[str, Any] = {"po_number": po_number, "order_number": order_number}
    if vocabulary.matches(vocabulary.ip_not_allowed, message, detail):
        return IpNotAllowed(_IP_HINT.format(detail=shown), **ids)
    if vocabulary.matches(vocabulary.transient, message, detail):
        return TransientError(f"TD SYNNEX reported a temporary problem ({shown})", **ids)
    if vocabulary.matches(vocabulary.auth, message, detail):
        return AuthFailed(_AUTH_HINT.format(detail=shown), **ids)
    return UnrecognisedError(shown, invoice_query=invoice_query, **ids)


def fault_kind(error: Exception) -> str | None:
    """The accounting name of what went wrong with one request (``None``: not a TD SYNNEX error)."""
    if not isinstance(error, TdSynnexError):
        return None
    if isinstance(error, TransientError):
        return error.fault
    if isinstance(error, AuthFailed):
        return "auth"
    if isinstance(error, BadPayload):
        return "bad_payload"
    if isinstance(error, UnrecognisedError):
        return "unrecognised_error"
    return "rejected"


def _subject(po_number: str | None, order_number: str | None) -> str:
    if po_number:
        return f"PO {po_number}"
    if order_number:
        return f"TD SYNNEX order {order_number}"
    return ""
