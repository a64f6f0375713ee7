"""``orderbridge status`` and ``orderbridge log`` read what a sync recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from orderbridge.cli import app
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, texts


@pytest.fixture
def synced(runner: CliRunner, upstreams: SimulatedUpstreams, config: Path) -> Path:
    """The config after two sync runs: the first partial, the second with PO-10021 healed."""
    first = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert first.exit_code == 1, first.output
    upstreams.tdsynnex.advance("PO-10021")
    second = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert second.exit_code == 0, second.output
    return config


def test_status_shows_state_shipments_invoices_and_history(
    runner: CliRunner, upstreams: SimulatedUpstreams, synced: Path
) -> None:
    result = runner.invoke(app, ["status", "PO-10015", "--config", str(synced)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Invoiced" in out
    for number in set(texts(upstreams.served_status("PO-10015"), "TrackingNumber")):
        assert f"https://www.fedex.com/fedextrack/?trknbr={number}" in out
    for number in texts(upstreams.served_invoices("PO-10015"), "InvoiceNumber"):
        assert f"Invoice {number}" in out
    assert "History" in out
    assert "first seen as Invoiced" in out


def test_status_of_an_unknown_po_exits_1(runner: CliRunner, synced: Path) -> None:
    result = runner.invoke(app, ["status", "PO-99999", "--config", str(synced)])
    assert result.exit_code == 1
    assert "PO-99999" in result.stdout


def test_log_lists_runs_with_counts(runner: CliRunner, synced: Path, database: Path) -> None:
    # The default active scope leaves orders the first run found finished out of the second.
    finished = {"Closed", "Cancelled", "Rejected"}  # delivered-not-invoiced stays checked
    with SqlStore.open(f"sqlite:///{database}") as store:
        done = sum(order.status in finished for order in store.orders("default"))
    assert done > 0
    active = str(24 - done)
    result = runner.invoke(app, ["log", "--config", str(synced)])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if " partial " in line or " ok " in line]
    assert len(rows) == 2, result.stdout
    # the orders column reads monitored/checked/updated/failed
    assert " 24/24/23/1 " in next(r for r in rows if " partial " in r)
    assert f" {active}/{active}/1/0 " in next(r for r in rows if " ok " in r)


def test_log_run_shows_every_order_of_one_run(
    runner: CliRunner, synced: Path, database: Path
) -> None:
    with SqlStore.open(f"sqlite:///{database}") as store:
        first = min(run.id for run in store.runs("default"))
    result = runner.invoke(app, ["log", "--run", str(first), "--config", str(synced)])
    assert result.exit_code == 0, result.output
    cells = [
        [cell.strip() for cell in line.split("│")[1:3]]
        for line in result.stdout.splitlines()
        if line.startswith("│ ") and line.count("│") == 5
    ]
    outcomes = {po: outcome for po, outcome in cells if po}
    # The demo's transient TD SYNNEX error is one failed order, with its reason in words.
    assert [po for po, outcome in outcomes.items() if outcome == "failed"] == ["PO-10021"]
    assert "temporary problem" in result.stdout
    assert sum(outcome == "updated" for outcome in outcomes.values()) == 23
    missing = runner.invoke(app, ["log", "--run", "9999", "--config", str(synced)])
    assert missing.exit_code == 1
    assert "no run 9999" in missing.stderr
