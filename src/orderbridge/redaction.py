"""The one place that hides secrets from text a person, a log or the database will see.

Adapters, settings and logging all redact through these functions, so the mask and the forms a
secret may take are decided once. Pure: standard library only, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

__all__ = ["MASK", "is_sensitive_key", "redact", "redact_bytes", "redact_url"]

MASK = "***"
_SENSITIVE_KEY_WORDS = ("secret", "password", "integration_code", "authorization", "token")


def _forms(secrets: Iterable[str]) -> list[str]:
    """Each non-empty secret and its XML-escaped form, longest first (so no secret that contains
    another is left half masked)."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            escaped = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            forms |= {secret, escaped}
    return sorted(forms, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (and its XML-escaped form) replaced by ``***``."""
    for form in _forms(secrets):
        text = text.replace(form, MASK)
    return text


def redact_bytes(body: bytes, secrets: Iterable[str]) -> bytes:
    """A raw answer body with every secret (UTF-8, and XML-escaped) replaced by ``***``."""
    for form in _forms(secrets):
        body = body.replace(form.encode(), MASK.encode())
    return body


def redact_url(url: str) -> str:
    """The URL with the password of its ``user:password@`` part replaced by ``***``."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def is_sensitive_key(name: str) -> bool:
    """Whether a field or log key by this name holds a credential (its value is never shown)."""
    lowered = name.lower()
    return any(word in lowered for word in _SENSITIVE_KEY_WORDS)
