"""``orderbridge status``: one story in time order, the memo's words, every warning, and orders
that are monitored but were never checked successfully."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from orderbridge.cli import app
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


def _sync(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code in (0, 1), result.output  # 1: PO-10021's temporary error


@pytest.fixture
def lived(runner: CliRunner, upstreams: SimulatedUpstreams, config: Path) -> Path:
    """The config after a first sync and four lifecycle steps, each synced."""
    _sync(runner, config)
    for _ in range(4):
        upstreams.tdsynnex.advance_all()
        _sync(runner, config)
    return config


def _history(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("History"))
    return [line for line in lines[start:] if "│" in line and "when" not in line]


def test_history_tells_each_change_once_first_seen_first(runner: CliRunner, lived: Path) -> None:
    result = runner.invoke(app, ["status", "PO-10003", "--config", str(lived)])
    assert result.exit_code == 0, result.output
    rows = _history(result.stdout)
    assert "first seen as" in rows[0]
    assert sum("Processing → Shipped" in row for row in rows) == 1, rows
    assert sum("Shipped → Delivered" in row for row in rows) == 1, rows
    delivered = next(i for i, row in enumerate(rows) if "Shipped → Delivered" in row)
    assert "└ delivered on" in rows[delivered + 1]  # the fact nested under its change
    assert not any("00:00 UTC" in row for row in rows)  # a day is shown as a day


def test_a_delivery_known_at_first_sight_does_not_come_before_it(
    runner: CliRunner, lived: Path
) -> None:
    result = runner.invoke(app, ["status", "PO-10013", "--config", str(lived)])
    rows = _history(result.stdout)
    assert "first seen as Delivered" in rows[0]
    assert any("└ delivered on" in row for row in rows[1:])


def test_the_order_number_mismatch_warning_is_shown(runner: CliRunner, lived: Path) -> None:
    result = runner.invoke(app, ["status", "PO-10017", "--config", str(lived)])
    assert result.exit_code == 0, result.output
    assert "externalPONumber holds TD SYNNEX order" in " ".join(result.stdout.split())


def test_open_quantities_use_the_memo_words(
    runner: CliRunner, upstreams: SimulatedUpstreams, config: Path
) -> None:
    _sync(runner, config)
    result = runner.invoke(app, ["status", "PO-10005", "--config", str(config)])
    assert "1 not yet shipped" in result.stdout
    assert "backordered" not in result.stdout
    memos = " ".join(item["memo"] or "" for item in upstreams.items("PO-10005"))
    assert "1 not yet shipped" in memos


def test_a_monitored_order_that_never_synced(runner: CliRunner, config: Path) -> None:
    _sync(runner, config)  # PO-10021 answers with a temporary error
    result = runner.invoke(app, ["status", "PO-10021", "--config", str(config)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Monitored, not yet synced: 1 check since" in out
    assert "Last error: TD SYNNEX reported a temporary problem" in out
    # the daemon spaces its cycles from the last one, and a sync --once is one
    assert "Next check: 20" in out
    assert "(hourly, on the hour (UTC)) while orderbridge run runs" in out
    assert "orderbridge resync PO-10021 checks it now" in out
    assert "PO PO-10021: PO PO-10021" not in out
    assert "has not been synced" not in out


def test_read_only_commands_never_create_the_store(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    database = tmp_path / "elsewhere" / "orderbridge.db"
    database.parent.mkdir()
    config = upstreams.write_config(tmp_path / "orderbridge.toml", database)
    for args in (["status", "PO-10001"], ["log"], ["log", "--run", "1"]):
        result = runner.invoke(app, [*args, "--config", str(config)])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == (
            f"no store at {database} (from store.url in {config}); orderbridge sync --once or "
            "orderbridge run creates it, or point --config at the right file"
        )
    assert not database.exists()


def test_settings_says_default_for_a_key_the_file_does_not_set(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    database = tmp_path / "orderbridge.db"
    values = upstreams.settings_dict(database)
    values["sync"] = {**values.get("sync", {}), "frequency": "daily"}
    config = tmp_path / "orderbridge.toml"
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    config.chmod(0o600)
    _sync(runner, config)
    result = runner.invoke(app, ["settings", "--config", str(config)])
    rows = {
        cells[0]: cells
        for line in result.stdout.splitlines()
        if (cells := [c.strip() for c in line.replace("│", "|").split("|") if c.strip()])
    }
    assert rows["frequency"][:3] == ["frequency", "daily", "file"]
    assert rows["daily_at"][:3] == ["daily_at", "06:00", "default"]  # the file sets no daily_at
