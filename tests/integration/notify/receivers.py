"""Real loopback receivers: an aiosmtpd SMTP server and an HTTP webhook endpoint (port 0)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Mailbox:
    """Every message the SMTP server accepted."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def bodies(self) -> list[str]:
        """The plain-text part of each message."""
        texts = []
        for _, _, message in self.messages:
            part = message.get_body(preferencelist=("plain", "html"))
            texts.append(part.get_content() if part is not None else "")
        return texts


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1, on a port the system picked."""
    mailbox = Mailbox()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> asyncio.base_events.Server:
        return await loop.create_server(lambda: SMTP(mailbox), "127.0.0.1", 0)

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    mailbox.port = server.sockets[0].getsockname()[1]
    try:
        yield mailbox
    finally:

        async def stop() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@dataclass
class Webhook:
    """What the webhook endpoint received; ``status`` is what it answers with."""

    received: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    port: int = 0


@contextmanager
def webhook_server() -> Iterator[Webhook]:
    """An HTTP server on 127.0.0.1:0 that records JSON POST bodies."""
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if hook.status < 300:
                hook.received.append(json.loads(body or b"{}"))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
