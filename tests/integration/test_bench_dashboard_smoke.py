"""Smoke test: ``bench/dashboard.py --quick`` fills a store, serves it and times every page.

Timings are never asserted (they depend on the machine); what is asserted is that every page
was measured, answered 200 (the script stops otherwise) and carried a real server time.
"""

from __future__ import annotations

from tests.integration.bench_runs import result_of, run_quick

PAGES = 9


def test_the_dashboard_benchmark_measures_every_page() -> None:
    result = result_of(run_quick("dashboard.py", timeout_s=300))
    assert (result["orders"], result["history_rows"]) == (2_000, 20_000)
    pages = result["pages"]
    assert len(pages) == PAGES
    for name, figures in pages.items():
        assert 0 < figures["server_median_ms"] <= figures["server_p95_ms"], name
        assert figures["bytes"] > 0, name
    assert pages["orders, search by tracking number"]["order_links"] == 1
    assert pages["orders, first page"]["order_links"] == 50
    assert isinstance(result["all_under_target"], bool)
