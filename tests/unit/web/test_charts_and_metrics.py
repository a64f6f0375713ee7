"""The overview's SVG chart geometry and the Prometheus exposition text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from orderbridge.ports import RunRow
from orderbridge.web._charts import HEIGHT, PAD, runs_per_hour, status_changes_per_day
from orderbridge.web._metrics import render_metrics

TODAY = date(2026, 12, 2)
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_status_changes_stack_per_day_and_the_tallest_bar_fills_the_chart() -> None:
    chart = status_changes_per_day(
        [
            ("2026-12-02", "Shipped", 6),
            ("2026-12-02", "Delivered", 2),
            ("2026-12-01", "Shipped", 4),
        ],
        TODAY,
    )
    assert len(chart.bars) == 14
    assert chart.maximum == 8
    today, yesterday = chart.bars[-1], chart.bars[-2]
    assert [s.title for s in today.segments] == ["12-02: 6 Shipped", "12-02: 2 Delivered"]
    assert sum(s.height for s in today.segments) == HEIGHT - 2 * PAD
    assert sum(s.height for s in yesterday.segments) == (HEIGHT - 2 * PAD) / 2
    assert [name for name, _ in chart.legend] == ["Shipped", "Delivered"]
    assert status_changes_per_day([("2025-01-01", "Shipped", 3)], TODAY).empty


def test_runs_per_hour_mark_the_failed_part() -> None:
    rows = [(T0 - timedelta(hours=1), 4, 1), (T0, 2, 0)]
    chart = runs_per_hour(rows)
    first = chart.bars[0]
    assert [s.title for s in first.segments] == ["08:00: 1 with failures", "08:00: 3 clean"]
    assert chart.maximum == 4


def _run(seconds: float, outcome: str = "ok") -> RunRow:
    return RunRow(1, T0, T0 + timedelta(seconds=seconds), outcome, 5, 5, 1, 4, 0, 0, {}, None)


def test_metrics_text_follows_the_exposition_format() -> None:
    text = render_metrics(
        {"Shipped": 3, 'Odd "status"': 1},
        {"autotask": 40, "autotask retries": 2, "tdsynnex faults: timeout": 1, "tdsynnex": 9},
        [_run(3), _run(45), _run(900)],
        {"sent": 5, "failed": 1},
        {"ok": 3},
        17,
    )
    lines = text.splitlines()
    assert 'orderbridge_orders{status="Odd \\"status\\""} 1' in lines
    assert 'orderbridge_requests_total{service="autotask",outcome="retried"} 2' in lines
    assert 'orderbridge_requests_total{service="tdsynnex",outcome="fault: timeout"} 1' in lines
    assert 'orderbridge_cycle_duration_seconds_bucket{le="5"} 1' in lines
    assert 'orderbridge_cycle_duration_seconds_bucket{le="60"} 2' in lines
    assert 'orderbridge_cycle_duration_seconds_bucket{le="+Inf"} 3' in lines
    assert "orderbridge_cycle_duration_seconds_sum 948.000" in lines
    assert 'orderbridge_notifications_total{outcome="failed"} 1' in lines
    assert "orderbridge_autotask_budget_used 17" in lines
    for line in lines:
        assert line.startswith(("# HELP ", "# TYPE ", "orderbridge_")), line
