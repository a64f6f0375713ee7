"""``orderbridge demo`` runs end to end and leaves a store the other commands can read."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from orderbridge.cli import app


def test_demo_runs_and_its_log_can_be_read(runner: CliRunner, tmp_path: Path) -> None:
    where = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--dir", str(where), "--rounds", "2"])
    assert result.exit_code == 0, result.output
    database = (where / "orderbridge-demo.db").resolve()
    config = where / "orderbridge-demo.toml"
    assert str(database) in result.stdout
    assert config.is_file()
    assert "a steady-state cycle writes nothing" in result.stdout
    assert "  PO id 24 " in result.stdout  # a PO without a number is named by its id
    assert "PO-10021: PO PO-10021" not in result.stdout  # nor named twice
    assert "PO-10021: TD SYNNEX reported a temporary problem" in result.stdout
    log = runner.invoke(app, ["log", "--config", str(config)])
    assert log.exit_code == 0, log.output
    runs = [line for line in log.stdout.splitlines() if " ok " in line or " partial " in line]
    assert len(runs) == 4, log.stdout
    status = runner.invoke(app, ["status", "PO-10005", "--config", str(config)])
    assert status.exit_code == 0, status.output
    assert "PO-10005" in status.stdout
