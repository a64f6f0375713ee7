"""Any Apprise URL as a notification channel: e-mail over SMTP, Teams, Slack, webhooks, ...

Apprise reports a failed delivery as a false result and says why in its log, so each send
captures Apprise's warnings and turns them into the port's errors: ``UpstreamUnavailable`` for
what may heal (a refused connection, a 5xx), ``UpstreamAuthError`` when the server refused the
login, ``NotificationUndeliverable`` when the URL itself is wrong. Messages never carry the URL
in plain text: the channel's secrets are scrubbed from anything Apprise said.

The channel's timeout is Apprise's own socket timeout (connect and read) unless the URL sets
``cto``/``rto`` itself, so a send that meets a silent server gives up in its worker thread
instead of outliving the call; the wait around the send (twice the timeout) is only a backstop.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

import anyio
import apprise

from orderbridge.domain.notices import OrderFacts
from orderbridge.ports import (
    NotificationUndeliverable,
    UpstreamAuthError,
    UpstreamUnavailable,
)

from ._urls import EMAIL_SCHEMES, plain_text_email, redact_channel_url, with_recipients

__all__ = ["AppriseChannel"]

_LOG_PREFIX = re.compile(r"^\S+ \S+ - [A-Z]+ - ", re.MULTILINE)
_AUTH_WORDS = ("authentication", "auth failed", "unauthorized", "401", "403", "535")
_DEFAULT_PORTS = {"http": 80, "https": 443, "json": 80, "jsons": 443, "form": 80, "forms": 443}


class AppriseChannel:
    """One configured Apprise URL."""

    per_order = False

    def __init__(self, name: str, url: str, *, timeout_s: float = 15.0) -> None:
        """Prepare the channel; nothing connects until ``send`` or ``check``."""
        self._name = name
        self._url = url
        self._timeout_s = timeout_s
        self.shown_url = redact_channel_url(url)

    @property
    def name(self) -> str:
        """The channel's configured name."""
        return self._name

    def __repr__(self) -> str:
        """Name and redacted URL only."""
        return f"AppriseChannel({self._name!r}, {self.shown_url!r})"

    def _plugin(self, url: str) -> apprise.NotifyBase:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
        if not plugin:
            raise NotificationUndeliverable(
                f"channel {self._name!r}: {self.shown_url} is not a URL Apprise can send to "
                "(check the scheme and its parts against the Apprise documentation)"
            )
        given = {key.strip().lower() for key, _ in parse_qsl(urlsplit(url).query)}  # as Apprise
        if "cto" not in given and hasattr(plugin, "socket_connect_timeout"):
            plugin.socket_connect_timeout = self._timeout_s
        if "rto" not in given and hasattr(plugin, "socket_read_timeout"):
            plugin.socket_read_timeout = self._timeout_s
        return plugin

    def _scrub(self, text: str) -> str:
        text = _LOG_PREFIX.sub("", text).strip()
        parts = urlsplit(self._url)
        for secret in (self._url, parts.password, parts.username if parts.password else None):
            if secret:
                text = text.replace(secret, "***")
        return " ".join(text.split())[:500]

    async def send(
        self, title: str, body: str, *, facts: OrderFacts | None, recipients: Sequence[str]
    ) -> list[str]:
        """Send one message; return the addresses (e-mail) or the redacted URL it reached."""
        url = self._url
        if recipients:
            try:
                url = with_recipients(self._url, tuple(recipients))
            except ValueError as exc:
                raise NotificationUndeliverable(f"channel {self._name!r}: {exc}") from None
        plugin = self._plugin(plain_text_email(url))
        notifier = apprise.Apprise()
        notifier.add(plugin)
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            try:
                with anyio.fail_after(self._timeout_s * 2):
                    result = await notifier.async_notify(
                        body=body or title, title=title, body_format=apprise.NotifyFormat.TEXT
                    )
            except TimeoutError:
                raise UpstreamUnavailable(
                    f"channel {self._name!r}: no answer within {self._timeout_s * 2:g} s"
                ) from None
            said = captured.getvalue() if hasattr(captured, "getvalue") else ""
        if not result:
            reason = self._scrub(str(said)) or "Apprise reported a failed delivery"
            message = f"channel {self._name!r}: {reason}"
            if any(word in reason.lower() for word in _AUTH_WORDS):
                raise UpstreamAuthError(message)
            raise UpstreamUnavailable(message)
        return self._reached(plugin)

    def _reached(self, plugin: apprise.NotifyBase) -> list[str]:
        if urlsplit(self._url).scheme in EMAIL_SCHEMES:
            targets = getattr(plugin, "targets", None) or []
            found = [t[1] if isinstance(t, tuple) else str(t) for t in targets]
            if found:
                return found
        return [f"{self._name}: {redact_channel_url(self._url)}"]

    async def check(self) -> str:
        """Validate the URL and open a TCP connection to its server where it names one."""
        plugin = self._plugin(self._url)
        host = getattr(plugin, "smtp_host", None) or getattr(plugin, "host", None)
        if not host:
            return f"{self.shown_url}: URL is valid (reachability is tested by a real send)"
        port = getattr(plugin, "port", None) or self._default_port(plugin)
        try:
            with anyio.fail_after(self._timeout_s):
                stream = await anyio.connect_tcp(str(host), int(port))
                await stream.aclose()
        except (OSError, TimeoutError) as exc:
            raise UpstreamUnavailable(
                f"channel {self._name!r}: cannot reach {host}:{port} "
                f"({type(exc).__name__}: {self._scrub(str(exc))})"
            ) from None
        return f"{self.shown_url}: {host}:{port} answers"

    def _default_port(self, plugin: apprise.NotifyBase) -> int:
        scheme = urlsplit(self._url).scheme
        if scheme in EMAIL_SCHEMES:
            return (
                465
                if getattr(plugin, "secure_mode", "") == "ssl"
                else 587
                if (getattr(plugin, "secure", False))
                else 25
            )
        return _DEFAULT_PORTS.get(scheme, 443 if getattr(plugin, "secure", False) else 80)
