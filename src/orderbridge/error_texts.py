"""The unconfirmed error wording of both services: which texts mean what (ADR 23).

Plain data, shared by the adapters that classify errors and by the settings that let a user
teach them new wording (``[tdsynnex] *_texts``, ``[autotask] *_texts``); importing it loads no
HTTP or XML code.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ErrorTexts", "ErrorVocabulary"]


@dataclass(frozen=True, slots=True)
class ErrorVocabulary:
    """Words (matched case-insensitively as substrings) that classify TD SYNNEX error texts."""

    # Seen in a client that retries them; IncompleteXML01 is included because our request
    # builder always sends complete XML, so the server calling it incomplete points at a
    # truncated transfer rather than a bug that a retry cannot fix.
    transient: tuple[str, ...] = (
        "servererror",
        "server error",
        "po_timeout",
        "timeout",
        "databaseissue",
        "database issue",
        "internal api fault",
        "incompletexml01",
        "temporarily unavailable",
        "service unavailable",
    )
    ip_not_allowed: tuple[str, ...] = ("ip address invalid", "invalid ip", "ip not allowed")
    auth: tuple[str, ...] = (
        "password",
        "credential",
        "userid",
        "user id",
        "login",
        "authenticat",
        "unauthori",
        "access denied",
        "invalid user",
        "invalid customer",
    )
    not_found: tuple[str, ...] = (
        "not found",
        "notfound",
        "no invoice",
        "does not exist",
        "no data",
    )

    def matches(self, words: tuple[str, ...], *texts: str | None) -> bool:
        """Whether any of ``words`` occurs in any of ``texts``."""
        haystack = " ".join(t.lower() for t in texts if t)
        return any(word in haystack for word in words)


@dataclass(frozen=True, slots=True)
class ErrorTexts:
    """Lower-case fragments of Autotask error text that decide the error type.

    The real wording for a bad username or integration code is not documented, so these are
    configurable; the defaults cover the texts seen in the field.
    """

    zone_unknown: tuple[str, ...] = ("zone information could not be determined",)
    unknown_user: tuple[str, ...] = (
        "unknown user",
        "invalid user",
        "user not found",
        "username",
        "user name",
    )
    integration_code: tuple[str, ...] = (
        "integration code",
        "integrationcode",
        "tracking identifier",
    )
    permission: tuple[str, ...] = (
        "adequate permission",
        "does not have permission",
        "insufficient permission",
        "permission denied",
        "not authorized",
    )
    thread_limit: tuple[str, ...] = ("itgenatr005", "thread threshold")
