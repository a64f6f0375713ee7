"""Channel URLs: telling the built-in Autotask channel from Apprise URLs, and hiding secrets.

Channel URLs carry credentials (an SMTP password, a webhook token in the path), so a URL is
only ever shown in its redacted form: Apprise's privacy rendering where Apprise knows the URL,
otherwise scheme and host alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise

__all__ = [
    "AUTOTASK_SCHEME",
    "EMAIL_SCHEMES",
    "AutotaskNoteTarget",
    "parse_autotask_url",
    "plain_text_email",
    "redact_channel_url",
    "with_recipients",
]

AUTOTASK_SCHEME = "autotask"
EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
_TARGETS = {"ticket-notes": "ticket", "project-notes": "project"}


@dataclass(frozen=True, slots=True)
class AutotaskNoteTarget:
    """What an ``autotask://ticket-notes?...`` URL asks for."""

    target: str  # "ticket" or "project"
    note_type: int
    publish: int
    title: str | None


def _positive(query: dict[str, str], name: str, default: int) -> int:
    text = query.get(name, str(default)).strip()
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{name}={text!r}: use the picklist value, a positive whole number")
    return int(text)


def parse_autotask_url(url: str) -> AutotaskNoteTarget:
    """Read ``autotask://ticket-notes`` or ``autotask://project-notes`` with its options.

    Options: ``note_type`` (default 1), ``publish`` (default 1: all Autotask users) and
    ``title`` (a prefix for the note's title). ``ValueError`` names what is wrong.
    """
    parts = urlsplit(url)
    if parts.scheme != AUTOTASK_SCHEME:
        raise ValueError("not an autotask:// URL")
    kind = (parts.netloc + parts.path).strip("/").lower()
    if kind not in _TARGETS:
        raise ValueError(
            f"autotask://{kind}: use autotask://ticket-notes or autotask://project-notes"
        )
    query = dict(parse_qsl(parts.query))
    unknown = sorted(set(query) - {"note_type", "publish", "title"})
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; use note_type, publish, title")
    title = query.get("title", "").strip() or None
    return AutotaskNoteTarget(
        _TARGETS[kind], _positive(query, "note_type", 1), _positive(query, "publish", 1), title
    )


def redact_channel_url(url: str) -> str:
    """The URL with its secrets hidden, safe to print or log."""
    if urlsplit(url).scheme == AUTOTASK_SCHEME:
        return url  # no secret: the Autotask credentials live in [autotask]
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin:
        return str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}/..." if parts.scheme else "(not a URL)"


def with_recipients(url: str, addresses: list[str] | tuple[str, ...]) -> str:
    """An e-mail channel URL that sends to ``addresses`` instead of its own recipients."""
    parts = urlsplit(url)
    if parts.scheme not in EMAIL_SCHEMES:
        raise ValueError("people can only be addressed through an e-mail (mailto://) channel")
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in ("to", "cc", "bcc")]
    query.append(("to", ",".join(addresses)))
    return urlunsplit((parts.scheme, parts.netloc, "", urlencode(query), ""))


def plain_text_email(url: str) -> str:
    """An e-mail URL sends plain text unless it says otherwise (``format=html``).

    Apprise's default for e-mail is HTML, whose plain-text alternative loses the line breaks a
    digest depends on.
    """
    parts = urlsplit(url)
    if parts.scheme not in EMAIL_SCHEMES:
        return url
    query = parse_qsl(parts.query)
    if any(k.lower() == "format" for k, _ in query):
        return url
    query.append(("format", "text"))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
