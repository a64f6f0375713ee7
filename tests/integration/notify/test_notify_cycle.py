"""Notifications in the sync cycle: baseline, outbox with the history, dry runs, failures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import anyio
import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.application.notification_sender import NotificationSender
from orderbridge.application.notifications import (
    BASELINE_SETTING,
    CycleNotices,
    NotificationPolicy,
)
from orderbridge.application.sync import SyncService
from orderbridge.domain.notices import EventKind
from orderbridge.domain.notify_rules import DeliveryStatus, Rule
from orderbridge.ports import MonitoredScope, UpstreamAuthError
from tests.integration.application.sync_fakes import (
    NOW,
    VENDOR,
    FakePurchaseOrders,
    FakeUpstreamError,
    ScriptedDistributor,
    accepted,
    purchase_order,
    shipped,
)
from tests.integration.notify.test_notify_sender import FakeChannel

pytestmark = pytest.mark.anyio

RULE = Rule(events=EventKind.routable(), channels=("purchasing",))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'ob.db'}") as opened:
        yield opened


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


@pytest.fixture
def autotask() -> FakePurchaseOrders:
    fake = FakePurchaseOrders()
    fake.add(purchase_order(1, "PO-1", customer_id=503))
    fake.add(purchase_order(2, "PO-2"))
    fake.add(purchase_order(3, "PO-3"))
    return fake


@pytest.fixture
def tdsynnex() -> ScriptedDistributor:
    # PO-3 is unknown to TD SYNNEX: an error that needs a person.
    return ScriptedDistributor(orders={"PO-1": accepted("PO-1"), "PO-2": accepted("PO-2")})


@pytest.fixture
def service(
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
    channel: FakeChannel,
) -> SyncService:
    async def scope() -> MonitoredScope:
        return MonitoredScope(vendor_ids=(VENDOR,), status_labels=("Submitted",))

    sender = NotificationSender(outbox=store, channels={"purchasing": channel}, clock=lambda: NOW)
    notices = CycleNotices(
        outbox=store,
        policy=NotificationPolicy(
            rules=(RULE,), channels=("purchasing",), summary_channels=("purchasing",)
        ),
        clock=lambda: NOW,
        sender=sender,
    )
    return SyncService(
        purchase_orders=autotask,
        distributor=tdsynnex,
        store=store,
        scope=scope,
        clock=lambda: NOW,
        notices=notices,
    )


async def test_first_cycle_sends_errors_and_one_summary_only(
    service: SyncService, store: SqlStore, channel: FakeChannel
) -> None:
    await service.run_once()
    titles = sorted(title for title, *_ in channel.sent)
    assert titles == [
        "PO PO-3 needs attention: Not found: no reason given",
        "orderbridge is now watching 3 orders, 1 need attention",
    ]
    assert store.get_setting(DEFAULT_TENANT, BASELINE_SETTING) is not None
    (sent,) = store.order_notifications(DEFAULT_TENANT, "PO-3")
    assert sent.status is DeliveryStatus.SENT
    assert store.order_notifications(DEFAULT_TENANT, "PO-1") == []


async def test_later_changes_are_announced_once(
    service: SyncService,
    tdsynnex: ScriptedDistributor,
    channel: FakeChannel,
    store: SqlStore,
) -> None:
    await service.run_once()
    channel.sent.clear()
    tdsynnex.orders["PO-1"] = shipped("PO-1")
    await service.run_once()
    await service.run_once()
    titles = sorted(title for title, *_ in channel.sent)
    assert titles[0].startswith("PO PO-1 shipped")
    assert "PO PO-1: Received -> Shipped" in titles
    assert len(titles) == len(set(titles))
    keys = [n.notice.key for n in store.order_notifications(DEFAULT_TENANT, "PO-1")]
    history = {e.key for e in store.history(DEFAULT_TENANT, "PO-1")}
    assert set(keys) <= history  # every notice belongs to a recorded history entry


async def test_dry_runs_queue_and_send_nothing(
    service: SyncService, store: SqlStore, channel: FakeChannel
) -> None:
    await service.run_once(dry_run=True)
    assert channel.sent == []
    assert store.get_setting(DEFAULT_TENANT, BASELINE_SETTING) is None
    assert store.notification_counts(DEFAULT_TENANT, NOW.replace(year=2000))["pending"] == 0


async def test_a_failing_channel_never_fails_the_cycle_or_the_write(
    service: SyncService,
    autotask: FakePurchaseOrders,
    channel: FakeChannel,
    store: SqlStore,
) -> None:
    channel.down = True
    report, _ = await service.run_once()
    assert report.outcome == "ok"
    assert report.updated == 3
    assert autotask.orders[1].general_memo  # the Autotask write happened
    (waiting,) = store.order_notifications(DEFAULT_TENANT, "PO-3")
    assert (waiting.status, waiting.error) == (DeliveryStatus.PENDING, "connection refused")


async def test_an_order_that_fails_is_an_error_notice_collapsed_by_cause(
    service: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    channel: FakeChannel,
) -> None:
    await service.run_once()
    channel.sent.clear()
    for po_id in range(10, 15):
        autotask.add(purchase_order(po_id, f"PO-{po_id}"))
        tdsynnex.orders[f"PO-{po_id}"] = FakeUpstreamError("TD SYNNEX is down", "tdsynnex")
    await service.run_once()
    titles = [title for title, *_ in channel.sent]
    assert "5 orders need attention: TD SYNNEX is down" in titles


async def test_a_first_cycle_stopped_early_stays_quiet_next_time(
    service: SyncService, store: SqlStore, channel: FakeChannel
) -> None:
    stop = anyio.Event()
    stop.set()
    report, _ = await service.run_once(stop=stop)
    assert report.outcome == "interrupted"
    assert store.get_setting(DEFAULT_TENANT, BASELINE_SETTING) is None
    await service.run_once()
    titles = [title for title, *_ in channel.sent]
    assert not any("->" in t for t in titles)
    assert sum("now watching" in t for t in titles) == 1


async def test_a_resync_of_one_order_does_not_end_the_first_cycle(
    service: SyncService, store: SqlStore, channel: FakeChannel
) -> None:
    await service.run_once(only={"PO-3"})
    assert [title for title, *_ in channel.sent] == [
        "PO PO-3 needs attention: Not found: no reason given"
    ]
    assert store.get_setting(DEFAULT_TENANT, BASELINE_SETTING) is None


async def test_an_unchanged_order_that_goes_quiet_is_announced_stuck_once(
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
    channel: FakeChannel,
) -> None:
    now = [NOW]

    async def scope() -> MonitoredScope:
        return MonitoredScope(vendor_ids=(VENDOR,), status_labels=("Submitted",))

    def clock() -> datetime:
        return now[0]

    notices = CycleNotices(
        outbox=store,
        policy=NotificationPolicy(rules=(RULE,), channels=("purchasing",)),
        clock=clock,
        sender=NotificationSender(outbox=store, channels={"purchasing": channel}, clock=clock),
    )
    service = SyncService(
        purchase_orders=autotask,
        distributor=tdsynnex,
        store=store,
        scope=scope,
        clock=clock,
        notices=notices,
    )
    await service.run_once()
    channel.sent.clear()
    now[0] = NOW + timedelta(days=8)
    report, _ = await service.run_once()
    assert report.unchanged == 3  # nothing to write: the alert is not a change
    stuck = sorted(t for t, *_ in channel.sent)
    assert stuck == ["PO PO-1: no change for 8 days", "PO PO-2: no change for 8 days"]
    now[0] = NOW + timedelta(days=9)
    channel.sent.clear()
    await service.run_once()
    assert channel.sent == []


async def test_the_daemon_loop_delivers_until_stopped(
    service: SyncService, store: SqlStore, channel: FakeChannel
) -> None:
    notices = service.notices
    assert notices is not None
    channel.down = True
    await service.run_once()  # queued; the channel refused
    assert channel.sent == []
    channel.down = False
    sender = notices.sender
    assert sender is not None
    sender.clock = lambda: NOW + timedelta(hours=1)  # past the retry's backoff
    stop = anyio.Event()
    async with anyio.create_task_group() as group:
        group.start_soon(notices.deliver_forever, stop, 0.01)
        for _ in range(1000):  # the loop runs every 10 ms; give it up to 10 s
            if len(channel.sent) >= 2:
                break
            await anyio.sleep(0.01)
        stop.set()
    assert sorted(t for t, *_ in channel.sent)[1].startswith("orderbridge is now watching")


async def test_a_refused_credential_is_one_error_a_day_and_no_summary(
    service: SyncService,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
    channel: FakeChannel,
) -> None:
    for number in ("PO-1", "PO-2", "PO-3"):
        tdsynnex.orders[number] = UpstreamAuthError("TD SYNNEX refused the password")
    report, _ = await service.run_once()
    assert report.outcome == "refused"
    await service.run_once()
    titles = [title for title, *_ in channel.sent]
    assert titles == ["orderbridge cannot sync: a service refused the credentials"]
    assert store.get_setting(DEFAULT_TENANT, BASELINE_SETTING) is None


async def test_a_field_that_does_not_stick_is_an_error_said_once(
    service: SyncService, autotask: FakePurchaseOrders, channel: FakeChannel
) -> None:
    await service.run_once()
    channel.sent.clear()
    for _ in range(2):  # something in Autotask wipes what orderbridge writes, at once, twice
        autotask.orders[1] = replace(autotask.orders[1], general_memo="")
        await service.run_once()
    titles = [title for title, *_ in channel.sent]
    assert titles == ["PO PO-1 needs attention: Autotask did not keep PurchaseOrder.general_memo"]
    # Wiped right after orderbridge wrote it: the field does not stick, and is not rewritten.
    assert autotask.orders[1].general_memo == ""
