"""A sync cycle spends from the budget kept in the store when it is shared (ADR 44)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from orderbridge.bootstrap import sync_services
from orderbridge.settings import Settings
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def upstreams() -> Iterator[SimulatedUpstreams]:
    with simulated_upstreams() as pair:
        yield pair


def _settings(upstreams: SimulatedUpstreams, url: str, **autotask: Any) -> Settings:
    values = upstreams.settings_dict(Path("unused.db"), **autotask)
    values["store"] = {"url": url}
    return Settings.model_validate(values)


async def _counted(settings: Settings) -> tuple[int, int]:
    """One cycle on a fresh store: budgeted Autotask requests, and rows the shared budget holds.

    Every request but the zone lookup takes a ticket from the budget (the zone lookup goes to
    Autotask's global address before the database is known); a fresh store looks it up once.
    """
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
        with services.store.engine.connect() as connection:
            rows = connection.execute(text("SELECT count(*) FROM autotask_budget_request"))
            return report.requests.get("autotask", 0) - 1, int(rows.scalar_one())


async def test_a_shared_budget_counts_every_autotask_request_in_the_store(
    upstreams: SimulatedUpstreams, database_url: str
) -> None:
    sent, kept = await _counted(_settings(upstreams, database_url, shared_budget=True))
    assert sent > 0
    assert kept == sent


async def test_left_unset_the_budget_is_shared_with_postgresql_only(
    upstreams: SimulatedUpstreams, database_url: str
) -> None:
    sent, kept = await _counted(_settings(upstreams, database_url))
    assert kept == (sent if database_url.startswith("postgresql") else 0)
