"""``orderbridge resync PO``: one order checked and applied now, and what changed printed."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from tests.integration.doctor.doctor_configs import write_config
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


def test_resync_applies_one_order_and_prints_the_changes(
    cli: typer.Typer,
    runner: CliRunner,
    upstreams: SimulatedUpstreams,
    database: Path,
    tmp_path: Path,
) -> None:
    config = write_config(upstreams, tmp_path / "orderbridge.toml", database)
    before = upstreams.snapshot()

    result = runner.invoke(cli, ["resync", "PO-10011", "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert "PO-10011 (Shipped): changed" in result.stdout
    assert "PO general_memo" in result.stdout
    assert "history" in result.stdout
    after = upstreams.snapshot()
    assert after["PO-10011"] != before["PO-10011"]
    assert "Shipped" in after["PO-10011"]["generalMemo"]
    assert {k: v for k, v in after.items() if k != "PO-10011"} == {
        k: v for k, v in before.items() if k != "PO-10011"
    }
    assert upstreams.tdsynnex_requests("POStatus") == 1
    with SqlStore.open(f"sqlite:///{database}") as store:
        stored = store.load_state("default", "PO-10011")
        (run,) = store.runs("default")
    assert stored is not None
    assert stored.status == "Shipped"
    assert (run.monitored, run.updated) == (1, 1)

    again = runner.invoke(cli, ["resync", "PO-10011", "--config", str(config)])
    assert again.exit_code == 0, again.output
    assert "PO-10011 (Shipped): nothing changed." in again.stdout


def test_a_dry_run_prints_the_changes_and_writes_nothing(
    cli: typer.Typer,
    runner: CliRunner,
    upstreams: SimulatedUpstreams,
    database: Path,
    tmp_path: Path,
) -> None:
    config = write_config(upstreams, tmp_path / "orderbridge.toml", database)
    before = upstreams.snapshot()
    result = runner.invoke(cli, ["resync", "PO-10003", "--dry-run", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "would change (dry run, nothing written)" in result.stdout
    assert "PO general_memo" in result.stdout
    assert upstreams.snapshot() == before
    assert upstreams.patches() == 0


def test_an_unmonitored_po_exits_1_with_a_clear_message(
    cli: typer.Typer,
    runner: CliRunner,
    upstreams: SimulatedUpstreams,
    database: Path,
    tmp_path: Path,
) -> None:
    config = write_config(upstreams, tmp_path / "orderbridge.toml", database)
    for number in ("PO-99999", "PO-10023"):  # no such PO; a PO of another vendor
        result = runner.invoke(cli, ["resync", number, "--config", str(config)])
        assert result.exit_code == 1, result.output
        assert f"PO {number} is not monitored" in result.stderr
        assert "'TD SYNNEX'" in result.stderr
    assert upstreams.tdsynnex_requests("POStatus") == 0
    assert upstreams.patches() == 0


def test_refused_credentials_exit_2_naming_the_error(
    cli: typer.Typer,
    runner: CliRunner,
    upstreams: SimulatedUpstreams,
    database: Path,
    tmp_path: Path,
) -> None:
    config = write_config(
        upstreams, tmp_path / "orderbridge.toml", database, tdsynnex={"password": "wrong"}
    )
    result = runner.invoke(cli, ["resync", "PO-10011", "--config", str(config)])
    assert result.exit_code == 2, result.output  # an authentication error, as for sync --once
    assert "PO-10011" in result.stderr
    assert "credentials" in result.stderr
    assert upstreams.patches() == 0
