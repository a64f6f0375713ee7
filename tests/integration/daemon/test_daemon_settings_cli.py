"""``orderbridge settings``, ``enable`` and ``disable``: shown, validated, reset, persistent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from orderbridge.cli import app

CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]


def row(output: str, key: str) -> list[str]:
    """The cells of the settings table row for ``key``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.replace("│", "|").split("|") if c.strip()]
        if cells and cells[0] == key:
            return cells
    raise AssertionError(f"no row for {key} in:\n{output}")


def test_show_set_and_reset(runner: CliRunner, config: Path, database: Path) -> None:
    shown = runner.invoke(app, ["settings", "--config", str(config)])
    assert shown.exit_code == 0, shown.output
    assert row(shown.stdout, "frequency") == ["frequency", "realtime", "file"]
    assert row(shown.stdout, "scope") == ["scope", "active", "default"]  # the file sets none
    changed = runner.invoke(app, ["settings", "set", "frequency", "15m", "--config", str(config)])
    assert changed.exit_code == 0, changed.output
    assert row(changed.stdout, "frequency") == ["frequency", "custom:15m", "store", "realtime"]
    assert "every 15 minutes" in changed.stdout
    with SqlStore.open(f"sqlite:///{database}") as store:
        assert store.get_setting("default", "frequency") == "custom:15m"
    reset = runner.invoke(app, ["settings", "--reset", "--config", str(config)])
    assert reset.exit_code == 0, reset.output
    assert row(reset.stdout, "frequency") == ["frequency", "realtime", "file"]
    with SqlStore.open(f"sqlite:///{database}") as store:
        assert store.get_setting("default", "frequency") == "realtime"


def test_invalid_values_exit_2_naming_the_key(runner: CliRunner, config: Path) -> None:
    bad = runner.invoke(app, ["settings", "set", "frequency", "15x", "--config", str(config)])
    assert bad.exit_code == 2
    assert bad.stderr.strip().startswith("frequency: '15x' is not an interval like 15m")
    unknown = runner.invoke(app, ["settings", "set", "secret", "x", "--config", str(config)])
    assert unknown.exit_code == 2
    assert "is not a runtime setting" in unknown.stderr
    scope = runner.invoke(app, ["settings", "set", "scope", "recent:0", "--config", str(config)])
    assert scope.exit_code == 2
    assert "scope: recent:0 is out of range" in scope.stderr
    shown = runner.invoke(app, ["settings", "--config", str(config)])
    assert row(shown.stdout, "scope") == ["scope", "active", "default"]  # the file sets none


def test_invalid_file_values_name_their_key(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[sync]\nfrequency = "15x"\nscope = "lately"\n', encoding="utf-8")
    result = runner.invoke(app, ["settings", "--config", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("configuration error: sync.frequency: '15x' is not an interval")
    assert lines[1].startswith("configuration error: sync.scope: 'lately' is not a status scope")


def test_enable_and_disable_persist_across_processes(config: Path, runner: CliRunner) -> None:
    off = subprocess.run(
        [*CLI, "disable", "--config", str(config)], capture_output=True, timeout=60, check=False
    )
    assert off.returncode == 0, off.stderr.decode()
    assert "Scheduled sync is off." in off.stdout.decode()
    shown = runner.invoke(app, ["settings", "--config", str(config)])
    assert row(shown.stdout, "enabled") == ["enabled", "false", "store", "true"]
    on = runner.invoke(app, ["enable", "--config", str(config)])
    assert on.exit_code == 0, on.output
    assert "Scheduled sync is on." in on.stdout
    again = subprocess.run(
        [*CLI, "settings", "--config", str(config)], capture_output=True, timeout=60, check=False
    )
    assert again.returncode == 0, again.stderr.decode()
    assert row(again.stdout.decode(), "enabled") == ["enabled", "true", "default"]


def test_sync_once_runs_even_when_disabled(runner: CliRunner, config: Path) -> None:
    assert runner.invoke(app, ["disable", "--config", str(config)]).exit_code == 0
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Sync run: ok" in result.stdout
