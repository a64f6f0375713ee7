"""Wording a new user stumbled on: a PO named by a bare id, a PO named twice, flag types."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from orderbridge.cli import app
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


def test_a_po_without_a_number_is_named_by_its_id(
    runner: CliRunner, upstreams: SimulatedUpstreams, config: Path
) -> None:
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert any(line.startswith("│ PO id 24 ") for line in rows), result.stdout
    assert not any(line.startswith("│ 24 ") for line in rows)


def test_a_failed_resync_names_the_po_once(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(app, ["resync", "PO-10021", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert result.stderr.count("PO PO-10021") == 1, result.stderr


def test_flags_show_no_value_type(runner: CliRunner) -> None:
    for command in (["--help"], ["sync", "--help"], ["init", "--help"], ["sandbox", "--help"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0
        assert "<bool>" not in result.stdout
    assert "--verbose" in runner.invoke(app, ["sync", "--help"]).stdout
