"""``orderbridge migrate-store``: a synced SQLite store copied into PostgreSQL, all checked."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from orderbridge.adapters.store._records_store import RUNNER_LEASE
from orderbridge.adapters.store._store_copy import table_rows
from orderbridge.cli import app
from tests.integration.store.conftest import (  # noqa: F401 - fixtures pytest finds by name
    postgres_server_url,
    postgres_url,
)
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.postgres


def _pointed_at(config: Path, url: str, tmp_path: Path) -> Path:
    values = tomllib.loads(config.read_text(encoding="utf-8"))
    values["store"] = {"url": url}
    moved = tmp_path / "moved.toml"
    moved.write_text(tomli_w.dumps(values), encoding="utf-8")
    moved.chmod(0o600)
    return moved


def test_a_synced_store_moves_to_postgresql_whole_and_reads_the_same(
    runner: CliRunner,
    upstreams: SimulatedUpstreams,
    config: Path,
    database: Path,
    postgres_url: str,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    upstreams.tdsynnex.advance("PO-10021")
    assert runner.invoke(app, ["sync", "--once", "--config", str(config)]).exit_code == 0
    result = runner.invoke(app, ["migrate-store", "--to", postgres_url, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "every table checked" in result.stdout
    with SqlStore.open(f"sqlite:///{database}") as source, SqlStore.open(postgres_url) as target:
        expected, copied = table_rows(source), table_rows(target)
    assert copied == expected
    assert expected["order_state"] == 24
    assert expected["status_history"] > 24
    moved = _pointed_at(config, postgres_url, tmp_path)
    for command in (["status", "PO-10015"], ["log"]):
        before = runner.invoke(app, [*command, "--config", str(config)])
        after = runner.invoke(app, [*command, "--config", str(moved)])
        assert after.exit_code == before.exit_code == 0, after.output
        assert after.stdout == before.stdout

    again = runner.invoke(app, ["migrate-store", "--to", postgres_url, "--config", str(config)])
    assert again.exit_code == 2
    assert "not empty" in again.stderr
    assert "--force" in again.stderr


def test_a_running_daemon_or_a_bad_url_is_refused_in_one_line(
    runner: CliRunner,
    config: Path,
    database: Path,
    postgres_url: str,  # noqa: F811 - the fixture
) -> None:
    assert runner.invoke(app, ["sync", "--once", "--config", str(config)]).exit_code in (0, 1)
    bad = runner.invoke(app, ["migrate-store", "--to", "mysql://u:hunter2@db/x", "-c", str(config)])
    assert bad.exit_code == 2
    assert "not a store URL" in bad.stderr
    assert "hunter2" not in bad.stderr
    with SqlStore.open(f"sqlite:///{database}") as store:
        assert store.acquire_lease(RUNNER_LEASE, "host:4242", 600, datetime.now(UTC))
    busy = runner.invoke(app, ["migrate-store", "--to", postgres_url, "--config", str(config)])
    assert busy.exit_code == 2
    assert "stop it first" in busy.stderr
    assert len(busy.stderr.strip().splitlines()) == 1
