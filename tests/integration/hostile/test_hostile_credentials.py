"""Credentials that stop working between or during cycles: plain words, no damage, exit code 2."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.bootstrap import SyncServices, sync_services
from orderbridge.cli import app
from orderbridge.domain.history import OrderOutcome, RunReport
from orderbridge.settings import Settings
from tests.integration.hostile.hostile_cycles import (
    MOVER_PO,
    activity_log,
    assert_plain_words,
    clean_cycle,
    recorded,
)
from tests.integration.hostile.hostile_interceptor import Answer, Request
from tests.integration.hostile.hostile_upstreams import HOSTILE_PO, OTHER_POS, HostileUpstreams

pytestmark = pytest.mark.anyio

ALL_POS = (HOSTILE_PO, *OTHER_POS)
TD_REFUSAL = "TD SYNNEX rejected the credentials"


def one_at_a_time(upstreams: HostileUpstreams, database: Path) -> Settings:
    """Settings checking one order at a time, so "no further calls" is observable exactly."""
    values = upstreams.settings_dict(database)
    values["sync"]["concurrency"] = 1
    return Settings.model_validate(values)


def set_tdsynnex_password(upstreams: HostileUpstreams, password: str) -> None:
    """Change the password the TD SYNNEX simulator accepts (as an account admin would)."""
    config = dataclasses.replace(upstreams.tdsynnex.config, password=password)
    upstreams.tdsynnex.config = config
    upstreams.tdsynnex.service.config = config


def autotask_calls(upstreams: HostileUpstreams) -> int:
    """Authenticated Autotask requests (every endpoint but the anonymous zone lookup)."""
    counts: dict[str, dict[str, int]] = upstreams.autotask.state.counters()["requests"]
    return sum(sum(m.values()) for e, m in counts.items() if e != "zoneInformation")


def mentions(report: RunReport, services: SyncServices, words: str) -> int:
    """How many lines of the run's activity log (run error and per-order errors) say ``words``."""
    logged = activity_log(services.store).values()
    texts = [report.error, *(o.error for o in logged)]
    return sum(words in (text or "") for text in texts)


async def test_a_changed_tdsynnex_password_damages_nothing(
    upstreams: HostileUpstreams, database: Path
) -> None:
    password = upstreams.tdsynnex.config.password
    async with sync_services(one_at_a_time(upstreams, database)) as services:
        await clean_cycle(services)
        before = {po: recorded(services, upstreams, po) for po in ALL_POS}
        set_tdsynnex_password(upstreams, "changed-by-the-account-admin")
        upstreams.tdsynnex.advance(MOVER_PO)
        upstreams.reset_counters()
        report, _ = await services.sync.run_once()
        logged = activity_log(services.store)
        assert report.outcome != "ok"
        assert report.updated == report.unchanged == 0
        assert upstreams.patches() == 0
        assert upstreams.tdsynnex_requests("POStatus") == 1, "no call after the refusal"
        for po in ALL_POS:
            assert recorded(services, upstreams, po) == before[po]
            assert logged[po].outcome in (OrderOutcome.FAILED, OrderOutcome.SKIPPED)
        said = [t for t in (report.error, *(o.error for o in logged.values())) if t]
        refusal = next(t for t in said if TD_REFUSAL in t)
        assert_plain_words(refusal, TD_REFUSAL, "password")
        assert not any(password in t for t in said)
        set_tdsynnex_password(upstreams, password)
        healed = await clean_cycle(services)
    assert healed.updated == 1


async def test_a_changed_tdsynnex_password_refuses_the_run_and_is_said_once(
    upstreams: HostileUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
        set_tdsynnex_password(upstreams, "changed-by-the-account-admin")
        upstreams.reset_counters()
        report, _ = await services.sync.run_once()
        assert report.outcome == "refused"
        assert_plain_words(report.error, TD_REFUSAL)
        assert mentions(report, services, TD_REFUSAL) <= 2, "the run, and at most the one order"
    assert upstreams.patches() == 0


def test_sync_once_exits_2_when_the_tdsynnex_password_changed(
    upstreams: HostileUpstreams, database: Path, tmp_path: Path, runner: CliRunner
) -> None:
    config = upstreams.write_config(tmp_path / "orderbridge.toml", database)
    assert runner.invoke(app, ["sync", "--once", "--config", str(config)]).exit_code == 0
    set_tdsynnex_password(upstreams, "changed-by-the-account-admin")
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.stderr.count(TD_REFUSAL) == 1


def test_a_wrong_autotask_secret_exits_2_after_one_refused_call(
    upstreams: HostileUpstreams, database: Path, tmp_path: Path, runner: CliRunner
) -> None:
    config = upstreams.write_config(
        tmp_path / "orderbridge.toml", database, secret="not-the-secret"
    )
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("The run stopped") == 1
    assert_plain_words(result.stderr.split("The run stopped:")[1], "Autotask", "secret")
    assert autotask_calls(upstreams) == 1
    assert upstreams.tdsynnex.state.counters()["total"] == 0
    assert upstreams.patches() == 0


async def test_an_autotask_secret_rotated_between_cycles_stops_the_next_one(
    upstreams: HostileUpstreams, database: Path
) -> None:
    secret = upstreams.autotask.config.secret
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
        before = {po: recorded(services, upstreams, po) for po in ALL_POS}
        upstreams.autotask.config.secret = "rotated-in-autotask"
        upstreams.tdsynnex.advance(MOVER_PO)
        upstreams.reset_counters()
        report, _ = await services.sync.run_once()
        assert report.outcome == "refused"
        assert_plain_words(report.error, "Autotask", "secret")
        assert mentions(report, services, "secret") == 1
        assert autotask_calls(upstreams) == 1
        assert upstreams.tdsynnex.state.counters()["total"] == 0
        for po in ALL_POS:
            assert recorded(services, upstreams, po) == before[po]
        upstreams.autotask.config.secret = secret
        healed = await clean_cycle(services)
    assert healed.updated == 1


def revoke_autotask_secret_on_first_status_call(upstreams: HostileUpstreams) -> None:
    """Rotate the Autotask secret once the listing is done: the writes of this run are refused."""

    def match(request: Request) -> bool:
        upstreams.autotask.config.secret = "revoked-mid-run"
        return False

    upstreams.tdsynnex_proxy.add(Answer(match, b""))  # never answers: it only watches


async def test_an_autotask_secret_revoked_mid_run_damages_nothing(
    upstreams: HostileUpstreams, database: Path
) -> None:
    secret = upstreams.autotask.config.secret
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
        before = {po: recorded(services, upstreams, po) for po in ALL_POS}
        upstreams.tdsynnex.advance(MOVER_PO)
        upstreams.tdsynnex.advance(HOSTILE_PO)
        revoke_autotask_secret_on_first_status_call(upstreams)
        report, _ = await services.sync.run_once()
        logged = activity_log(services.store)
        assert report.updated == 0
        for po in (MOVER_PO, HOSTILE_PO):
            assert recorded(services, upstreams, po) == before[po]
            assert logged[po].outcome in (OrderOutcome.FAILED, OrderOutcome.SKIPPED)
        said = [t for t in (report.error, *(o.error for o in logged.values())) if t]
        assert_plain_words(next(t for t in said if "secret" in t), "Autotask", "secret")
        upstreams.calm()
        upstreams.autotask.config.secret = secret
        healed = await clean_cycle(services)
    assert healed.updated == 2


async def test_an_autotask_secret_revoked_mid_run_is_reported_once(
    upstreams: HostileUpstreams, database: Path
) -> None:
    async with sync_services(one_at_a_time(upstreams, database)) as services:
        await clean_cycle(services)
        for po in (MOVER_PO, HOSTILE_PO, OTHER_POS[1]):
            upstreams.tdsynnex.advance(po)
        revoke_autotask_secret_on_first_status_call(upstreams)
        upstreams.reset_counters()
        report, _ = await services.sync.run_once()
        assert report.outcome == "refused"
        assert_plain_words(report.error, "Autotask", "secret")
        assert mentions(report, services, "secret") <= 2, "the run, and at most the one order"
    writes = upstreams.autotask_requests("PurchaseOrders", "PATCH") + upstreams.autotask_requests(
        "PurchaseOrderItems", "PATCH"
    )
    assert writes == 1, "one refused write, then no more Autotask calls"
