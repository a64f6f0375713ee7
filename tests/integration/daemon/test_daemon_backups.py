"""A real ``orderbridge run`` takes the scheduled backup once it holds the runner lease."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest
import tomli_w

from orderbridge.adapters.store import SqlStore
from tests.integration.daemon.test_daemon_process import orderbridge_run, wait_for
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


@pytest.mark.slow
def test_run_writes_a_scheduled_backup_that_holds_the_synced_orders(
    upstreams: SimulatedUpstreams, database: Path, tmp_path: Path
) -> None:
    values = upstreams.settings_dict(database)
    values["sync"]["frequency"] = "hourly"
    values["backup"] = {"directory": str(tmp_path / "backups"), "keep": 3}
    config = tmp_path / "orderbridge.toml"
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    config.chmod(0o600)
    backups = tmp_path / "backups"
    with orderbridge_run(config, tmp_path / "run.log") as process:
        wait_for(lambda: backups.is_dir() and any(backups.glob("*.backup")), process, "a backup")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, (tmp_path / "run.log").read_text()
    (backup,) = [p for p in backups.iterdir() if p.suffix == ".backup"]
    assert backup.name.startswith("orderbridge-")
    with sqlite3.connect(backup) as db:
        (version,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == SqlStore.head_version()
