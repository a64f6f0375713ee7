"""The CLI with notifications on: simulators, a real SMTP server and a real webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from typer.testing import CliRunner

from orderbridge.cli import app
from tests.integration.notify.receivers import Mailbox, Webhook, smtp_server, webhook_server
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with webhook_server() as running:
        yield running


@pytest.fixture
def upstreams() -> Iterator[SimulatedUpstreams]:
    with simulated_upstreams() as running:
        yield running


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})


def notifications(mail_port: int, hook_port: int) -> dict[str, Any]:
    return {
        "enabled": True,
        "channels": [
            {
                "name": "purchasing",
                "url": f"mailto://127.0.0.1:{mail_port}?from=orderbridge@msp.example"
                "&to=purchasing@msp.example",
            },
            {"name": "teams", "url": f"json://robot:hook-secret-42@127.0.0.1:{hook_port}/in"},
        ],
        "rules": [
            {"events": ["status_changed", "shipped", "delivered", "error"], "channels": ["teams"]},
            {"events": ["shipped", "error"], "channels": ["purchasing"]},
        ],
    }


def write_config(
    upstreams: SimulatedUpstreams, tmp_path: Path, mailbox: Mailbox, webhook: Webhook
) -> Path:
    values = upstreams.settings_dict(tmp_path / "orderbridge.db")
    values["notifications"] = notifications(mailbox.port, webhook.port)
    path = tmp_path / "orderbridge.toml"
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_sync_notifies_once_records_who_and_counts(
    upstreams: SimulatedUpstreams,
    tmp_path: Path,
    mailbox: Mailbox,
    webhook: Webhook,
    runner: CliRunner,
) -> None:
    config = write_config(upstreams, tmp_path, mailbox, webhook)
    first = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert first.exit_code in (0, 1), first.output
    titles = [m["title"] for m in webhook.received]
    # The first cycle: one summary per channel, errors only, no history replayed.
    assert sum("now watching" in t for t in titles) == 1
    assert not any("->" in t or " shipped" in t for t in titles), titles
    summaries = [m for _, _, m in mailbox.messages if "now watching" in str(m["Subject"])]
    assert len(summaries) == 1

    webhook.received.clear()
    upstreams.tdsynnex.advance_all()
    second = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert second.exit_code in (0, 1), second.output
    changes = [m["title"] for m in webhook.received]
    assert any("->" in t for t in changes), changes
    shipped = [t for t in changes if " shipped (" in t]
    assert len(changes) == len(set(changes))
    mailed = [str(m["Subject"]) for _, _, m in mailbox.messages]
    assert set(shipped) <= set(mailed)

    webhook.received.clear()
    again = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert again.exit_code in (0, 1), again.output
    assert [m["title"] for m in webhook.received if "->" in m["title"]] == []

    po = next(t.split()[1] for t in changes if t.startswith("PO ") and "->" in t).rstrip(":")
    status = runner.invoke(app, ["status", po, "--config", str(config)])
    assert status.exit_code == 0, status.output
    assert "Notifications" in status.stdout
    assert "teams" in status.stdout
    assert "hook-secret-42" not in status.stdout + second.output

    log = runner.invoke(app, ["log", "--config", str(config)])
    assert "notifications sent" in log.stdout

    sent = runner.invoke(app, ["notify", "test", "purchasing", "--config", str(config)])
    assert sent.exit_code == 0, sent.output
    assert "purchasing@msp.example" in sent.stdout
    assert str(mailbox.messages[-1][2]["Subject"]) == "orderbridge test message"

    counts = runner.invoke(app, ["notify", "status", "--config", str(config)])
    assert "0 failed" in counts.stdout
    database = tmp_path / "orderbridge.db"
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("orderbridge.db*"))
    assert database.exists()
    assert b"hook-secret-42" not in stored  # the channel's secret never reaches the database


def test_notify_test_names_bad_channels_and_dead_servers(
    upstreams: SimulatedUpstreams,
    tmp_path: Path,
    mailbox: Mailbox,
    webhook: Webhook,
    runner: CliRunner,
) -> None:
    config = write_config(upstreams, tmp_path, mailbox, webhook)
    unknown = runner.invoke(app, ["notify", "test", "nope", "--config", str(config)])
    assert unknown.exit_code == 2
    assert "configured channels: purchasing, teams" in unknown.stderr
    webhook.status = 500
    down = runner.invoke(app, ["notify", "test", "teams", "--config", str(config)])
    assert down.exit_code == 1
    assert "not sent" in down.stderr
    assert "hook-secret-42" not in down.stderr
    assert "Traceback" not in down.output


def test_doctor_checks_every_channel(
    upstreams: SimulatedUpstreams,
    tmp_path: Path,
    mailbox: Mailbox,
    webhook: Webhook,
    runner: CliRunner,
) -> None:
    config = write_config(upstreams, tmp_path, mailbox, webhook)
    healthy = runner.invoke(app, ["doctor", "--config", str(config)])
    assert "PASS  notification channel purchasing" in healthy.stdout
    assert "PASS  notification channel teams" in healthy.stdout
    with smtp_server() as other:
        dead_port = other.port
    values = upstreams.settings_dict(tmp_path / "orderbridge.db")
    values["notifications"] = notifications(dead_port, webhook.port)
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    broken = runner.invoke(app, ["doctor", "--config", str(config)])
    assert "FAIL  notification channel purchasing" in broken.stdout
    assert broken.exit_code == 1


def test_resync_delivers_before_it_exits_and_dry_runs_send_nothing(
    upstreams: SimulatedUpstreams,
    tmp_path: Path,
    mailbox: Mailbox,
    webhook: Webhook,
    runner: CliRunner,
) -> None:
    config = write_config(upstreams, tmp_path, mailbox, webhook)
    assert runner.invoke(app, ["sync", "--once", "--config", str(config)]).exit_code in (0, 1)
    webhook.received.clear()
    upstreams.tdsynnex.advance("PO-10002")
    dry = runner.invoke(app, ["sync", "--once", "--dry-run", "--config", str(config)])
    assert dry.exit_code in (0, 1), dry.output
    assert webhook.received == []
    done = runner.invoke(app, ["resync", "PO-10002", "--config", str(config)])
    assert done.exit_code == 0, done.output
    titles = [m["title"] for m in webhook.received]
    assert titles
    assert all(t.startswith("PO PO-10002") for t in titles), titles


def test_people_are_resolved_through_autotask_and_recorded(
    upstreams: SimulatedUpstreams,
    tmp_path: Path,
    mailbox: Mailbox,
    webhook: Webhook,
    runner: CliRunner,
) -> None:
    sim = upstreams.autotask
    resources = sim.db.catalog.by_name("Resource")
    buyer = sim.db.create(
        resources, {"firstName": "Bo", "lastName": "Buyer", "email": "bo@msp.example"}
    )
    po_id = upstreams.po("PO-10002")["id"]
    with sim.db.lock:  # the PO was created by Bo (the scenario's creator is not a resource)
        record = sim.db.table("PurchaseOrders").get(po_id)
        assert record is not None
        record["creatorResourceID"] = buyer
    values = upstreams.settings_dict(tmp_path / "orderbridge.db")
    values["notifications"] = notifications(mailbox.port, webhook.port)
    values["notifications"]["rules"] = [
        {"events": ["status_changed"], "channels": ["purchasing"], "people": ["po_creator"]}
    ]
    config = tmp_path / "orderbridge.toml"
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    config.chmod(0o600)
    assert runner.invoke(app, ["sync", "--once", "--config", str(config)]).exit_code in (0, 1)
    mailbox.messages.clear()
    upstreams.tdsynnex.advance("PO-10002")
    done = runner.invoke(app, ["resync", "PO-10002", "--config", str(config)])
    assert done.exit_code == 0, done.output
    ((_, to, message),) = mailbox.messages
    assert to == ["bo@msp.example"]
    assert str(message["Subject"]).startswith("PO PO-10002:")
    status = runner.invoke(app, ["status", "PO-10002", "--config", str(config)])
    assert "bo@msp.example" in status.stdout
