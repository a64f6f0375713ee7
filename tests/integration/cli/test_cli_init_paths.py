"""``orderbridge init``: the output path is settled before any network call; --advanced URLs."""

from __future__ import annotations

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from orderbridge.cli import app
from orderbridge.settings import load_settings
from orderbridge.simulators.harness import API
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


def _requests(upstreams: SimulatedUpstreams) -> int:
    total = 0
    for sim in (upstreams.autotask, upstreams.tdsynnex):
        counts: dict[str, dict[str, int]] = sim.state.counters()["requests"]
        total += sum(sum(by_method.values()) for by_method in counts.values())
    return total


def _flags(upstreams: SimulatedUpstreams, output: Path) -> list[str]:
    at, td = upstreams.autotask.config, upstreams.tdsynnex.config
    return [
        "init",
        "--non-interactive",
        "--autotask-username",
        at.username,
        "--autotask-secret",
        at.secret,
        "--integration-code",
        at.integration_code,
        "--tdsynnex-customer",
        td.customer_number,
        "--tdsynnex-user",
        td.user_id,
        "--tdsynnex-password",
        td.password,
        "--zone-lookup-url",
        f"{upstreams.autotask_url}{API}/zoneInformation",
        "--tdsynnex-status-url",
        f"{upstreams.tdsynnex_url}/SynnexXML/POStatus",
        "--tdsynnex-invoice-url",
        f"{upstreams.tdsynnex_url}/webservice/invoice/query",
        "--output",
        str(output),
    ]


def test_the_output_directory_is_created(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    output = tmp_path / "config" / "nested" / "orderbridge.toml"
    result = runner.invoke(app, _flags(upstreams, output))
    assert result.exit_code == 0, result.output
    assert output.is_file()
    assert load_settings(output).autotask.username == upstreams.autotask.config.username


def test_an_impossible_output_path_is_refused_in_one_line_before_any_request(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the directory should be\n", encoding="utf-8")
    upstreams.reset_counters()
    result = runner.invoke(app, _flags(upstreams, blocker / "orderbridge.toml"))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"cannot create the directory {blocker}")
    assert "Traceback" not in result.output
    assert _requests(upstreams) == 0  # no connection test ran before the refusal


def test_an_existing_file_is_refused_before_any_request(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    output = tmp_path / "orderbridge.toml"
    output.write_text("# mine\n", encoding="utf-8")
    upstreams.reset_counters()
    result = runner.invoke(app, _flags(upstreams, output))
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert _requests(upstreams) == 0


def test_advanced_asks_for_the_urls(
    runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    at, td = upstreams.autotask.config, upstreams.tdsynnex.config
    output = tmp_path / "orderbridge.toml"
    zone = f"{upstreams.autotask_url}{API}/zoneInformation"
    status = f"{upstreams.tdsynnex_url}/SynnexXML/POStatus"
    invoice = f"{upstreams.tdsynnex_url}/webservice/invoice/query"
    answers = [
        at.username,
        at.secret,
        at.integration_code,
        td.customer_number,
        td.user_id,
        td.password,
        "",  # region
        "",  # environment
        zone,
        "",  # Autotask base URL: discover it
        status,
        invoice,
        "",  # the one vendor candidate
        "",  # frequency
        "",  # scope
    ]
    result = runner.invoke(
        app,
        ["init", "--advanced", "--output", str(output)],
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Autotask zone lookup URL" in result.stdout
    written = tomllib.loads(output.read_text(encoding="utf-8"))
    assert written["autotask"]["zone_lookup_url"] == zone
    assert "base_url" not in written["autotask"]
    assert written["tdsynnex"]["status_url"] == status
    assert written["tdsynnex"]["invoice_url"] == invoice
    assert "PASS  Autotask credentials" in result.stdout


def test_without_advanced_no_url_is_asked(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--output", str(tmp_path / "x.toml")], input="\n" * 3)
    assert "zone lookup URL" not in result.stdout
