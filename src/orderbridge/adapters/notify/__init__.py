"""Notification channels: Apprise URLs and Autotask notes, and Autotask's people directory.

    channel = AppriseChannel("purchasing", "mailtos://user:pass@smtp.example.com?to=po@msp.example")
    reached = await channel.send("PO 4711 shipped", "UPS 1Z999...", facts=None, recipients=())

Channels implement the application's ``NotificationChannel`` port and raise its errors; a
channel URL is only ever shown redacted (``redact_channel_url``).
"""

from __future__ import annotations

from ._apprise import AppriseChannel
from ._autotask import AutotaskNoteChannel, AutotaskPeople
from ._urls import (
    AUTOTASK_SCHEME,
    AutotaskNoteTarget,
    parse_autotask_url,
    redact_channel_url,
    with_recipients,
)

__all__ = [
    "AUTOTASK_SCHEME",
    "AppriseChannel",
    "AutotaskNoteChannel",
    "AutotaskNoteTarget",
    "AutotaskPeople",
    "parse_autotask_url",
    "redact_channel_url",
    "with_recipients",
]
