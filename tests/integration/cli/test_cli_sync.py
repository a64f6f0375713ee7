"""``orderbridge sync --once``: exit codes, dry runs and plain output without a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from orderbridge.cli import app
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


def test_all_good_exits_0(
    runner: CliRunner, upstreams: SimulatedUpstreams, config: Path, database: Path
) -> None:
    upstreams.tdsynnex.advance("PO-10021")
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Sync run: ok" in result.stdout
    with SqlStore.open(f"sqlite:///{database}") as store:
        (run,) = store.runs("default")
    assert (run.outcome, run.monitored, run.updated, run.failed) == ("ok", 24, 24, 0)


def test_a_failed_order_exits_1_and_is_named(
    runner: CliRunner, upstreams: SimulatedUpstreams, config: Path
) -> None:
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert "PO-10021" in result.stdout
    assert "temporary problem" in result.stdout
    assert upstreams.patches() > 0


def test_invalid_config_exits_2_with_one_line_per_problem(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[autotask]\ntimeout_s = -1\nvendor_nmae = "TD"\n[store]\nurl = "mysql://x/y"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["sync", "--once", "--config", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    for key in ("autotask.timeout_s", "autotask.vendor_nmae", "store.url"):
        assert sum(key in line for line in lines) == 1, (key, lines)


def test_missing_credentials_exit_2_naming_each_key(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "x.db"}"\n', encoding="utf-8")
    result = runner.invoke(app, ["sync", "--once", "--config", str(empty)])
    assert result.exit_code == 2
    for key in ("autotask.username", "autotask.secret", "tdsynnex.password"):
        assert key in result.stderr


def test_wrong_autotask_secret_exits_2(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path, database: Path
) -> None:
    config = upstreams.write_config(tmp_path / "c.toml", database, secret="not-the-secret")
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "The run stopped" in result.stderr
    assert upstreams.patches() == 0


def test_unknown_vendor_name_exits_2_with_the_name(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path, database: Path
) -> None:
    config = upstreams.write_config(tmp_path / "c.toml", database, vendor_name="Acme Dist")
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "'Acme Dist'" in result.stderr


def test_dry_run_prints_plans_and_writes_nothing(
    runner: CliRunner, upstreams: SimulatedUpstreams, config: Path, database: Path
) -> None:
    result = runner.invoke(app, ["sync", "--once", "--dry-run", "--config", str(config)])
    assert result.exit_code == 1, result.output  # PO-10021 still fails to answer
    assert "PO-10015  memo: new, " in result.stdout  # one line per changed field
    assert "PO-10015  invoice number: (empty) → " in result.stdout
    assert "planned changes" not in result.stdout  # the full blocks need --verbose
    assert "Dry run (nothing written)" in result.stdout
    assert upstreams.patches() == 0
    assert all(
        BLOCK not in (po["generalMemo"] or "") for po in upstreams.autotask.purchase_orders()
    )
    assert not database.exists()  # "writes nothing" includes no new store file
    verbose = runner.invoke(
        app, ["sync", "--once", "--dry-run", "--verbose", "--config", str(config)]
    )
    assert "PO PO-10015: planned changes" in verbose.stdout
    assert "PO general_memo" in verbose.stdout
    assert not database.exists()


BLOCK = "=== TD SYNNEX status"


def test_without_a_terminal_the_output_is_plain(
    upstreams: SimulatedUpstreams, config: Path
) -> None:
    upstreams.tdsynnex.advance("PO-10021")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from orderbridge.cli import main; main()",
            "sync",
            "--once",
            "--config",
            str(config),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert "Sync run: ok" in out
    assert "\x1b[" not in out
    assert "\r" not in out
    assert "Checking TD SYNNEX orders" not in out
