"""A bad value in any config section: exit 2, one line per problem naming its key, nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.cli import app
from tests.integration.hostile.hostile_upstreams import HostileUpstreams

# key -> a TOML line that sets it badly (each section of the configuration at least once)
BAD_VALUES = {
    "autotask.timeout_s": '[autotask]\ntimeout_s = "fast"',
    "autotask.zone_lookup_url": '[autotask]\nzone_lookup_url = "not a url"',
    "autotask.vendor_company_ids": "[autotask]\nvendor_company_ids = [-42]",
    "autotask.po_number_field": '[autotask]\npo_number_field = "poNumber"',
    "autotask.monitored_statuses": "[autotask]\nmonitored_statuses = []",
    "tdsynnex.region": '[tdsynnex]\nregion = "EU"',
    "tdsynnex.environment": '[tdsynnex]\nenvironment = "staging"',
    "tdsynnex.timeout_s": '[tdsynnex]\ntimeout_s = "30 seconds"',
    "store.url": '[store]\nurl = "mongodb://localhost/orders"',
    "sync.concurrency": '[sync]\nconcurrency = "lots"',
    "mapping.history_lines_in_memo": "[mapping]\nhistory_lines_in_memo = -1",
    "mapping.write_general_memo": '[mapping]\nwrite_general_memo = "perhaps"',
    "carriers.tracking_urls": (
        '[carriers]\ntracking_urls = { UPS = "javascript:alert({tracking_number})" }'
    ),
    "logging.level": '[logging]\nlevel = "LOUD"',
    "colour": '[colour]\nshade = "red"',
}


def refused_lines(runner: CliRunner, config: Path) -> list[str]:
    """Run ``sync --once``: it must exit 2 without a traceback; the lines it printed."""
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr.strip().splitlines()


@pytest.mark.parametrize("key", list(BAD_VALUES))
def test_each_bad_value_is_one_line_naming_its_key(
    runner: CliRunner, tmp_path: Path, key: str
) -> None:
    config = tmp_path / "orderbridge.toml"
    config.write_text(BAD_VALUES[key] + "\n", encoding="utf-8")
    lines = refused_lines(runner, config)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"configuration error: {key}: "), lines
    assert len(lines[0]) > len(f"configuration error: {key}: ") + 10, "the line says what is wrong"


def test_every_bad_value_at_once_gives_one_line_each(runner: CliRunner, tmp_path: Path) -> None:
    sections: dict[str, list[str]] = {}
    for text in BAD_VALUES.values():
        header, line = text.split("\n", 1)
        sections.setdefault(header, []).append(line)
    config = tmp_path / "orderbridge.toml"
    config.write_text(
        "\n".join(f"{h}\n" + "\n".join(lines) for h, lines in sections.items()) + "\n",
        encoding="utf-8",
    )
    lines = refused_lines(runner, config)
    assert len(lines) == len(BAD_VALUES), lines
    for key in BAD_VALUES:
        assert sum(line.startswith(f"configuration error: {key}: ") for line in lines) == 1, key


def test_a_bad_value_from_the_environment_names_the_key(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "orderbridge.toml"
    config.write_text("[sync]\nconcurrency = 4\n", encoding="utf-8")
    monkeypatch.setenv("ORDERBRIDGE_SYNC__CONCURRENCY", "a few")
    (line,) = refused_lines(runner, config)
    assert line.startswith("configuration error: sync.concurrency: ")


def test_a_store_that_cannot_be_opened_exits_2_before_any_call(
    runner: CliRunner, upstreams: HostileUpstreams, tmp_path: Path
) -> None:
    unreachable = tmp_path / "no-such-directory" / "orderbridge.db"
    config = upstreams.write_config(tmp_path / "orderbridge.toml", unreachable)
    text = " ".join(refused_lines(runner, config))
    assert text.startswith("store error: "), text
    assert "check that its directory exists" in text
    assert upstreams.autotask.state.counters()["total"] == 0
    assert upstreams.tdsynnex.state.counters()["total"] == 0


def test_problem_lines_stay_whole_on_a_narrow_console(
    upstreams: HostileUpstreams, tmp_path: Path
) -> None:
    # Without a terminal rich assumes 80 columns: a log collector must still get one line each.
    narrow = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"})
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_VALUES["autotask.vendor_company_ids"] + "\n", encoding="utf-8")
    assert len(refused_lines(narrow, bad)) == 1
    unreachable = tmp_path / "no-such-directory" / "orderbridge.db"
    config = upstreams.write_config(tmp_path / "orderbridge.toml", unreachable)
    assert len(refused_lines(narrow, config)) == 1
