"""Doctor's carrier checks against the carrier simulators: credentials, coverage, overdue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from orderbridge.application.doctor import Check, Outcome
from orderbridge.bootstrap import doctor_session, sync_services
from tests.integration.carriers.world import World, running_world

pytestmark = pytest.mark.anyio


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with running_world(tmp_path / "orderbridge.db") as started:
        yield started


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


async def test_accepted_credentials_pass_and_nothing_is_overdue(world: World) -> None:
    async with sync_services(world.settings(), clock=world.clock) as services:
        await services.sync.run_once()
    async with doctor_session(world.settings(), clock=world.clock) as doctor:
        checks = by_name(await doctor.run())
    for name in ("carrier UPS", "carrier FedEx", "carrier USPS", "carrier DHL"):
        assert checks[name].outcome is Outcome.PASS, checks[name]
    assert "DHL, FedEx, UPS, USPS" in checks["carrier tracking"].detail
    assert checks["overdue packages"].outcome is Outcome.PASS


async def test_refused_credentials_fail_and_a_missing_carrier_is_named(world: World) -> None:
    settings = world.settings()
    carriers = settings.carriers.model_copy(
        update={
            "ups": settings.carriers.ups.model_copy(update={"client_secret": SecretStr("bad")}),
            "dhl": settings.carriers.dhl.model_copy(update={"api_key": None}),
        }
    )
    settings = settings.model_copy(update={"carriers": carriers})
    async with doctor_session(settings, clock=world.clock) as doctor:
        checks = by_name(await doctor.run())
    assert checks["carrier UPS"].outcome is Outcome.FAIL
    assert "bad" not in checks["carrier UPS"].detail.replace("badly", "")
    assert "carrier DHL" not in checks
    assert "not configured, so not tracked: DHL" in checks["carrier tracking"].detail


async def test_packages_shipped_long_ago_and_not_delivered_are_overdue(world: World) -> None:
    world.sims["fedex"].book.clear()  # FedEx never hears of PO-FDX's cartons
    async with sync_services(world.settings(), clock=world.clock) as services:
        report, _ = await services.sync.run_once()
        assert report.outcome == "ok", report.error
    world.clock.advance(24 * 11)
    async with doctor_session(world.settings(), clock=world.clock) as doctor:
        checks = by_name(await doctor.run())
    overdue = checks["overdue packages"]
    assert overdue.outcome is Outcome.WARN
    assert "PO-FDX" in overdue.detail
