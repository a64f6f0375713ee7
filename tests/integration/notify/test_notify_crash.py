"""Never lost, never doubled: kill -9 between commit and send; a receiver down for an hour."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
import tomli_w

from orderbridge.adapters.notify import AppriseChannel
from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.application.notification_sender import DeliveryPolicy, NotificationSender
from orderbridge.bootstrap import sync_services
from orderbridge.domain.digest import DigestMode
from orderbridge.domain.notices import EventKind, Notice, OrderFacts
from orderbridge.domain.notify_rules import DeliveryStatus, PendingNotification
from orderbridge.settings import load_settings
from tests.integration.notify.receivers import Webhook, webhook_server
from tests.integration.sync.simulated_upstreams import simulated_upstreams
from tests.integration.sync.test_sync_crash import slow_down

SYNC = [sys.executable, "-c", "from orderbridge.cli import main; main()", "sync", "--once"]


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with webhook_server() as running:
        yield running


def outbox(database: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT event_key, channel, status FROM notification").fetchall()


def run(config: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*SYNC, "--config", str(config)], capture_output=True, timeout=120, check=False
    )


def restart(config: Path) -> None:
    async def once() -> None:
        async with sync_services(load_settings(config)) as services:
            await services.sync.run_once()

    anyio.run(once)


@pytest.mark.slow
def test_kill_between_commit_and_send_sends_each_once_after_restart(
    tmp_path: Path, webhook: Webhook
) -> None:
    database = tmp_path / "ob.db"
    with simulated_upstreams() as upstreams:
        values: dict[str, Any] = upstreams.settings_dict(database)
        values["notifications"] = {
            "channels": [{"name": "hook", "url": f"json://127.0.0.1:{webhook.port}/"}],
            "rules": [{"events": ["status_changed", "shipped", "delivered"], "channels": ["hook"]}],
        }
        config = tmp_path / "orderbridge.toml"
        config.write_text(tomli_w.dumps(values), encoding="utf-8")
        config.chmod(0o600)
        assert run(config).returncode in (0, 1)  # the baseline cycle
        webhook.received.clear()
        baseline = outbox(database)  # the first cycle's summary, already sent
        upstreams.tdsynnex.advance_all()
        slow_down(upstreams)
        process = subprocess.Popen(
            [*SYNC, "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(outbox(database)) < len(baseline) + 5 and process.poll() is None:
            assert time.monotonic() < deadline, "no notification was committed in time"
            time.sleep(0.01)
        assert process.poll() is None, "the sync finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        committed = [row for row in outbox(database) if row not in baseline]
        # Committed with the history, not sent: delivery comes after the cycle.
        assert committed
        assert {status for *_, status in committed} == {"pending"}
        assert webhook.received == []
        upstreams.autotask.state.faults.clear()
        upstreams.tdsynnex.state.faults.clear()
        # Restart: the dead process's runner lease has not run out yet, so cycle in process
        # (as the daemon would once it takes the lease over).
        restart(config)
        restart(config)
    rows = [row for row in outbox(database) if row not in baseline]
    assert {(k, c) for k, c, _ in committed} <= {(k, c) for k, c, _ in rows}
    assert {status for *_, status in rows} == {"sent"}
    titles = Counter(message["title"] for message in webhook.received)
    assert titles, "nothing was delivered after the restart"
    assert [t for t, n in titles.items() if n > 1] == []
    assert len(webhook.received) == len(rows)  # one message per outbox row: no digest here


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def test_a_webhook_down_for_an_hour_gets_the_message_once_it_is_back(
    tmp_path: Path, webhook: Webhook
) -> None:
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    clock = Clock(start)
    notice = Notice(EventKind.DELIVERED, "PO-1:delivered", "PO-1", "PO PO-1 delivered")
    entry = PendingNotification("hook", notice, OrderFacts("PO-1"), 0, DigestMode.IMMEDIATE, start)
    with SqlStore.open(f"sqlite:///{tmp_path / 'ob.db'}") as store:
        store.enqueue_notifications(DEFAULT_TENANT, [entry], start)
        sender = NotificationSender(
            outbox=store,
            channels={"hook": AppriseChannel("hook", f"json://127.0.0.1:{webhook.port}/")},
            clock=clock,
            policy=DeliveryPolicy(max_attempts=10, initial_backoff_s=60, max_backoff_s=1800),
        )
        webhook.status = 503
        tries = 0
        while clock.now < start + timedelta(hours=1):
            tries += anyio.run(sender.deliver_due).retried
            clock.now += timedelta(minutes=1)
        assert 3 <= tries <= 7  # backed off, not hammered every minute
        (waiting,) = store.order_notifications(DEFAULT_TENANT, "PO-1")
        assert waiting.status is DeliveryStatus.PENDING
        assert "hook" in (waiting.error or "")
        webhook.status = 200
        while clock.now < start + timedelta(hours=2):
            anyio.run(sender.deliver_due)
            clock.now += timedelta(minutes=1)
        (done,) = store.order_notifications(DEFAULT_TENANT, "PO-1")
    assert done.status is DeliveryStatus.SENT
    assert [m["title"] for m in webhook.received] == ["PO PO-1 delivered"]
