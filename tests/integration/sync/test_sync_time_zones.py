"""TD SYNNEX wall-clock times are US Pacific: a late-evening shipment keeps its day.

The TD SYNNEX simulator writes times without an offset in Pacific time, as the POStatus guide's
examples do; both simulators answer over loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.bootstrap import sync_services
from orderbridge.settings import Settings
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio

PACIFIC = ZoneInfo("America/Los_Angeles")
SHIPPED_LATE = datetime(2026, 12, 1, 22, 30, tzinfo=PACIFIC)  # 06:30 UTC on 2 December


async def ship_late_and_sync(upstreams: SimulatedUpstreams, settings: Settings) -> str:
    """Ship PO-10004 at 22:30 Pacific, run one cycle, return the PO's shippingDate."""
    upstreams.tdsynnex.advance("PO-10021")  # its retries only slow the test
    upstreams.tdsynnex.state.clock.set(SHIPPED_LATE)
    upstreams.tdsynnex.advance("PO-10004")  # processing -> shipped, stamped now
    async with sync_services(settings) as services:
        await services.sync.run_once()
    shipping: str = upstreams.po("PO-10004")["shippingDate"]
    return shipping


async def test_a_shipment_at_22_30_pacific_is_written_on_its_own_day(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    shipping = await ship_late_and_sync(upstreams, upstreams.settings(database))
    assert shipping.startswith("2026-12-01")
    assert "shipped 2026-12-01" in upstreams.po("PO-10004")["generalMemo"]


def shipped_at(settings: Settings) -> datetime:
    """When the store's history says PO-10004 shipped."""
    with SqlStore(settings.store.url) as store:
        entries = store.history("default", "PO-10004")
    return next(e.at for e in entries if e.summary.startswith("shipped"))


@pytest.mark.parametrize(
    ("zone", "instant"),
    [
        ("America/Los_Angeles", datetime(2026, 12, 2, 6, 30, tzinfo=UTC)),
        ("UTC", datetime(2026, 12, 1, 22, 30, tzinfo=UTC)),
    ],
)
async def test_the_zone_naive_times_are_read_in_is_a_setting(
    upstreams: SimulatedUpstreams, database: Path, zone: str, instant: datetime
) -> None:
    values = upstreams.settings_dict(database)
    values["tdsynnex"]["timezone"] = zone
    settings = Settings.model_validate(values)
    await ship_late_and_sync(upstreams, settings)
    assert shipped_at(settings) == instant


def test_an_unknown_zone_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="'Mars/Olympus' is not a time zone; use an IANA name"):
        Settings.model_validate({"tdsynnex": {"timezone": "Mars/Olympus"}})
