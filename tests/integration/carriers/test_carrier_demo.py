"""The demo shows a delivery only the carrier confirms (PO-10017, UPS, signed for)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from orderbridge.cli import app


def test_the_demo_shows_a_carrier_confirmed_delivery(tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})  # no wrapping
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path), "--rounds", "1"])
    assert result.exit_code == 0, result.output
    config = tmp_path / "orderbridge-demo.toml"
    status = runner.invoke(app, ["status", "PO-10017", "--config", str(config)])
    assert status.exit_code == 0, status.output
    # The history table wraps long lines; compare the text without its borders.
    flat = " ".join(status.stdout.replace("│", " ").split())
    assert "Closed" in flat
    assert "carrier" in flat
    assert "UPS confirmed delivery" in flat
    assert "M GARCIA" in flat
