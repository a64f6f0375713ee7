"""The delivery report over history a real sync built against the simulators."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import anyio
from typer.testing import CliRunner

from orderbridge.bootstrap import sync_services
from orderbridge.cli import app
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

HTML_REPORT = ("report", "delivery", "--by", "warehouse", "--format", "html")
BACKWARDS = ("report", "delivery", "--since", "2026-05-01", "--until", "2026-04-01")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_report_after_orders_move_through_their_lifecycle(
    upstreams: SimulatedUpstreams, database: Path, tmp_path: Path
) -> None:
    async def cycles() -> None:
        async with sync_services(upstreams.settings(database)) as services:
            for _ in range(4):
                await services.sync.run_once()
                upstreams.tdsynnex.advance_all()

    anyio.run(cycles)
    config = upstreams.write_config(tmp_path / "orderbridge.toml", database)
    runner = CliRunner()
    shown = runner.invoke(app, ["report", "delivery", "--format", "json", "-c", str(config)])
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    total = document["total"]
    assert total["orders"] > 0
    assert total["delivered"] > 0
    assert total["median_submitted_to_delivered_days"] is not None
    assert total["on_time_vs_expected_delivery"] is not None  # the first expectation is kept
    assert sum(g["orders"] for g in document["groups"]) == total["orders"]  # by month
    by_carrier = runner.invoke(
        app, ["report", "delivery", "--by", "carrier", "--format", "csv", "-c", str(config)]
    )
    assert by_carrier.exit_code == 0, by_carrier.output
    lines = by_carrier.stdout.splitlines()
    assert lines[0].startswith("group,orders,delivered,median_submitted_to_accepted_days")
    assert lines[-1].startswith("all orders,")
    page = tmp_path / "delivery.html"
    done = runner.invoke(
        app,
        [*HTML_REPORT, "-o", str(page), "-c", str(config)],
    )
    assert done.exit_code == 0, done.output
    html = page.read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(html)
    assert tags.tags.count("svg") == 3
    assert "script" not in tags.tags
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # self-contained
    makers = runner.invoke(
        app, ["report", "delivery", "--by", "manufacturer", "--format", "json", "-c", str(config)]
    )
    groups = {g["group"] for g in json.loads(makers.stdout)["groups"]}
    assert groups - {"(not reported)"}, "invoiced orders name their manufacturers"
    text = runner.invoke(app, ["report", "delivery", "--by", "part", "-c", str(config)])
    assert text.exit_code == 0
    assert "all orders" in text.stdout
    bad = runner.invoke(
        app,
        [*BACKWARDS, "-c", str(config)],
    )
    assert bad.exit_code == 2
    assert "--until must be after --since" in bad.output
