"""Notification figures: 1,000 events in one cycle, routed, queued, digested and delivered.

Run ``uv run python bench/notifications.py`` (1,000 events over 1,000 orders) or ``--quick``
(100 events). Two rules, as an MSP might set them: every event at once to a JSON webhook (a
Teams/Slack stand-in), and an hourly e-mail digest to the purchasing desk over real SMTP
(aiosmtpd). Errors share three causes, so they collapse. The script measures the time each step
takes inside the cycle (routing, queueing in the order's own store transaction) and after it
(delivery), the number and size of the messages, and prints ``RESULT {json}`` last. It asserts
nothing; the tests do.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.integration.notify.receivers import smtp_server, webhook_server

from _common import print_table
from orderbridge.adapters.notify import AppriseChannel
from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.application.notification_sender import NotificationSender
from orderbridge.domain.digest import DigestMode
from orderbridge.domain.events import (
    Delivered,
    EtaSlipped,
    OrderEvent,
    Problem,
    Shipped,
    StatusChanged,
    WatchEvent,
)
from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.notices import EventKind, OrderFacts, notice_for
from orderbridge.domain.notify_rules import PendingNotification, Rule, route

START = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
CAUSES = ("credit hold", "address check", "export control")


def events_for(count: int) -> list[OrderEvent | WatchEvent]:
    """A realistic mix: mostly status changes and shipments, a few errors and slipped ETAs."""
    found: list[OrderEvent | WatchEvent] = []
    for i in range(count):
        po = f"PO-{i:05d}"
        roll = i % 50
        if roll < 30:
            found.append(StatusChanged(po, f"{po}:s", OrderStatus.RECEIVED, OrderStatus.PROCESSING))
        elif roll < 40:
            found.append(Shipped(po, f"{po}:t", "UPS", f"1Z{i:08d}", None, START))
        elif roll < 45:
            found.append(Delivered(po, f"{po}:d", START.date()))
        elif roll < 48:
            cause = CAUSES[i % len(CAUSES)]
            found.append(Problem(po, f"{po}:p", OrderStatus.REJECTED, cause))
        else:
            found.append(
                EtaSlipped(po, f"{po}:e", "1", "X-1", START.date(), START.date() + timedelta(9))
            )
    return found


def measure(count: int, workdir: Path) -> dict[str, Any]:
    """Route, queue and deliver ``count`` events; return the figures."""
    rules = (
        Rule(events=EventKind.routable(), channels=("teams",)),
        Rule(events=EventKind.routable(), channels=("purchasing",), digest=DigestMode.HOURLY),
    )
    events = events_for(count)
    with (
        smtp_server() as mailbox,
        webhook_server() as hook,
        SqlStore.open(f"sqlite:///{workdir / 'bench.db'}") as store,
    ):
        began = time.perf_counter()
        entries: list[list[PendingNotification]] = []
        for event in events:
            facts = OrderFacts(event.po_number, status="Processing")
            entries.append(route([notice_for(event)], facts, rules, now=START))
        routed = time.perf_counter()
        for per_order in entries:  # one transaction per order, as the cycle commits them
            store.enqueue_notifications(DEFAULT_TENANT, per_order, START)
        queued = time.perf_counter()
        clock = [START]
        sender = NotificationSender(
            outbox=store,
            channels={
                "teams": AppriseChannel("teams", f"json://127.0.0.1:{hook.port}/"),
                "purchasing": AppriseChannel(
                    "purchasing",
                    f"mailto://127.0.0.1:{mailbox.port}?from=ob@msp.example&to=po@msp.example",
                ),
            },
            clock=lambda: clock[0],
        )
        immediate = anyio.run(sender.deliver_due)
        delivered = time.perf_counter()
        clock[0] = START + timedelta(hours=1)
        digest = anyio.run(sender.deliver_due)
        digested = time.perf_counter()
        digest_bodies = mailbox.bodies()
        hook_titles = [m["title"] for m in hook.received]
    kinds = Counter(type(e).__name__ for e in events)
    collapsed = [t for t in hook_titles if "orders need attention" in t]
    return {
        "events": count,
        "event_kinds": dict(kinds),
        "outbox_rows": sum(len(e) for e in entries),
        "route_s": round(routed - began, 4),
        "queue_s": round(queued - routed, 4),
        "queue_per_order_ms": round((queued - routed) * 1000 / max(count, 1), 3),
        "immediate_messages": len(hook_titles),
        "immediate_sent_rows": immediate.sent,
        "collapsed_error_messages": len(collapsed),
        "deliver_immediate_s": round(delivered - queued, 3),
        "digest_messages": len(digest_bodies),
        "digest_sent_rows": digest.sent,
        "digest_bytes": [len(b.encode()) for b in digest_bodies],
        "digest_lines": [b.count("\n") + 1 for b in digest_bodies],
        "deliver_digest_s": round(digested - delivered, 3),
        "failed": immediate.failed + digest.failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 events instead of 1,000")
    args = parser.parse_args()
    count = 100 if args.quick else 1_000
    with tempfile.TemporaryDirectory() as workdir:
        figures = measure(count, Path(workdir))
    rows = [
        ("events in one cycle", f"{figures['events']:,}"),
        ("outbox rows (2 rules)", f"{figures['outbox_rows']:,}"),
        ("routing, in the cycle", f"{figures['route_s'] * 1000:.1f} ms"),
        ("queueing, in the cycle", f"{figures['queue_s']:.2f} s"),
        ("  per order transaction", f"{figures['queue_per_order_ms']:.2f} ms"),
        ("webhook messages (at once)", f"{figures['immediate_messages']:,}"),
        ("  of which collapsed errors", str(figures["collapsed_error_messages"])),
        ("delivery at once", f"{figures['deliver_immediate_s']:.2f} s"),
        ("hourly digest e-mails", str(figures["digest_messages"])),
        ("digest size", ", ".join(f"{b:,} bytes" for b in figures["digest_bytes"])),
        ("digest lines", ", ".join(f"{n:,}" for n in figures["digest_lines"])),
        ("digest delivery", f"{figures['deliver_digest_s']:.2f} s"),
        ("failed deliveries", str(figures["failed"])),
    ]
    print_table(("figure", "value"), rows)
    print("RESULT " + json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
