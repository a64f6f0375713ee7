"""A backup taken mid-cycle and restored: the next cycle loses nothing and doubles nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from orderbridge.adapters.store import RecordsStore, SqlStore
from tests.integration.sync.simulated_upstreams import pinned_now, simulated_upstreams
from tests.integration.sync.test_sync_crash import (
    complete_in_process,
    history_rows,
    reference_run,
    run_sync,
    slow_down,
)


@pytest.mark.slow
def test_restoring_a_mid_cycle_backup_converges_on_the_next_cycle(tmp_path: Path) -> None:
    now = pinned_now()
    expected_fields, expected_history = reference_run(tmp_path, now)
    live_db, restored_db = tmp_path / "live.db", tmp_path / "restored.db"
    backup = tmp_path / "mid-cycle.backup"
    with simulated_upstreams(now=now) as upstreams:
        upstreams.tdsynnex.advance("PO-10021")
        config = upstreams.write_config(tmp_path / "config.toml", live_db)
        slow_down(upstreams)
        process = run_sync(config)
        deadline = time.monotonic() + 60
        while upstreams.patches() < 20 and process.poll() is None:
            assert time.monotonic() < deadline, "the sync never got half way"
            time.sleep(0.01)
        assert process.poll() is None, "the cycle finished before the backup could be taken"
        with SqlStore(f"sqlite:///{live_db}") as live:
            RecordsStore(live).backup(backup)
        assert process.wait(timeout=120) == 0
        taken_at = len(history_rows(backup))
        assert 0 < taken_at < len(history_rows(live_db)), "the backup was not mid-cycle"
        upstreams.autotask.state.faults.clear()
        upstreams.tdsynnex.state.faults.clear()
        with SqlStore.open(f"sqlite:///{restored_db}") as empty:
            RecordsStore(empty).restore(backup)
        patches_before = upstreams.patches()
        complete_in_process(upstreams, restored_db)
        fields = upstreams.snapshot()
        rewritten = upstreams.patches() - patches_before
    rows = history_rows(restored_db)
    keys = [(po, key) for po, key, *_ in rows]
    assert len(keys) == len(set(keys)), "history doubled after the restore"
    assert set(rows) == expected_history, "history lost after the restore"
    assert fields == expected_fields, "Autotask differs after the restore"
    # Autotask already held the writes made after the backup: nothing is written twice.
    assert rewritten == 0
