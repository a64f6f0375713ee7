"""Two ``sync --once`` processes started together on one store never apply an order twice.

The runner lease decides: the loser exits 2 naming the holder, or — if the first was done
before the second looked — both succeed one after the other and the second finds nothing to
write. Either way each PO and item is PATCHed at most as often as one run PATCHes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _reliability_processes import (
    complete_in_process,
    crash_config,
    patch_counts,
    slow_down,
    start_sync,
)
from _reliability_scenario import (
    duplicate_history,
    history_rows,
    reliability_scenario,
)
from tests.integration.sync.simulated_upstreams import pinned_now, simulated_upstreams

pytestmark = pytest.mark.slow

LEASE_REFUSAL = "is syncing this store"


def test_two_processes_on_one_store_apply_each_order_once(tmp_path: Path) -> None:
    now, scenario = pinned_now(), reliability_scenario(20, seed=5, prefix="PAIR")
    with simulated_upstreams(scenario, now=now) as upstreams:
        upstreams.autotask.state.log_size = 1_000_000
        complete_in_process(upstreams, tmp_path / "reference.db")
        one_run = patch_counts(upstreams)
        expected = upstreams.snapshot()
    assert one_run, "the reference run should have written something"

    database = tmp_path / "shared.db"
    with simulated_upstreams(scenario, now=now) as upstreams:
        upstreams.autotask.state.log_size = 1_000_000
        config = crash_config(upstreams, tmp_path / "orderbridge.toml", database)
        slow_down(upstreams, status_ms=100, patch_ms=20)
        pair = [start_sync(config, capture=True), start_sync(config, capture=True)]
        outputs = [process.communicate(timeout=90) for process in pair]
        both = patch_counts(upstreams)
        fields = upstreams.snapshot()

    codes = [process.returncode for process in pair]
    assert sorted(codes) in ([0, 0], [0, 2]), (codes, outputs)
    for code, (_, errors) in zip(codes, outputs, strict=True):
        if code == 2:
            assert LEASE_REFUSAL in errors.decode(), errors.decode()
    over = {key: n for key, n in both.items() if n > one_run.get(key, 0)}
    assert not over, f"written more often than one run writes: {over}"
    assert duplicate_history(history_rows(database)) == 0
    assert fields == expected
