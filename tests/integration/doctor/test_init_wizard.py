"""``orderbridge init``: flags or prompts in, a private config file that works."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path

import anyio
import typer
from typer.testing import CliRunner

from orderbridge.application.doctor import Outcome
from orderbridge.bootstrap import doctor_session
from orderbridge.settings import Settings, load_settings
from orderbridge.simulators.harness import API
from orderbridge.simulators.scenario import builtin_scenario
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


def _endpoints(upstreams: SimulatedUpstreams) -> list[str]:
    return [
        "--zone-lookup-url",
        f"{upstreams.autotask_url}{API}/zoneInformation",
        "--tdsynnex-status-url",
        f"{upstreams.tdsynnex_url}/SynnexXML/POStatus",
        "--tdsynnex-invoice-url",
        f"{upstreams.tdsynnex_url}/webservice/invoice/query",
    ]


def _flags(upstreams: SimulatedUpstreams, output: Path) -> list[str]:
    at, td = upstreams.autotask.config, upstreams.tdsynnex.config
    return [
        "init",
        "--non-interactive",
        "--autotask-username",
        at.username,
        "--integration-code",
        at.integration_code,
        "--tdsynnex-customer",
        td.customer_number,
        "--tdsynnex-user",
        td.user_id,
        "--tdsynnex-password",
        td.password,
        *_endpoints(upstreams),
        "--output",
        str(output),
    ]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _connection_outcomes(settings: Settings) -> dict[str, Outcome]:
    async with doctor_session(settings) as doctor:
        return {c.name: c.outcome for c in await doctor.connection_checks()}


def test_non_interactive_init_writes_a_private_working_config(
    cli: typer.Typer, runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    output = tmp_path / "orderbridge.toml"
    secret = upstreams.autotask.config.secret
    result = runner.invoke(
        cli,
        [*_flags(upstreams, output), "--frequency", "daily", "--scope", "recent:60"],
        env={"ORDERBRIDGE_AUTOTASK__SECRET": secret},
    )
    assert result.exit_code == 0, result.output
    assert _mode(output) == 0o600
    # A secret given by environment variable stays there: the file does not hold it.
    written = output.read_text(encoding="utf-8")
    assert secret not in written
    assert "secret" not in tomllib.loads(written)["autotask"]
    assert "ORDERBRIDGE_AUTOTASK__SECRET" in result.stdout
    assert load_settings(output).autotask.secret is None
    os.environ["ORDERBRIDGE_AUTOTASK__SECRET"] = secret
    try:
        settings = load_settings(output, store={"url": f"sqlite:///{tmp_path / 'x.db'}"})
    finally:
        del os.environ["ORDERBRIDGE_AUTOTASK__SECRET"]
    assert settings.autotask.secret is not None
    assert settings.autotask.secret.get_secret_value() == secret
    assert settings.autotask.vendor_company_ids == [upstreams.po("PO-10001")["vendorID"]]
    assert settings.tdsynnex.customer_number == upstreams.tdsynnex.config.customer_number
    assert (settings.sync.frequency, settings.sync.scope) == ("daily", "recent:60")
    assert str(settings.tdsynnex.status_url).endswith("/SynnexXML/POStatus")
    assert "PASS  Autotask credentials" in result.stdout
    assert "PASS  TD SYNNEX credentials" in result.stdout
    assert "FAIL" not in result.stdout
    assert secret not in result.stdout
    checks = anyio.run(_connection_outcomes, settings)
    assert set(checks.values()) == {Outcome.PASS}, checks


def test_init_refuses_to_overwrite_without_force(
    cli: typer.Typer, runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    output = tmp_path / "orderbridge.toml"
    output.write_text("# mine\n", encoding="utf-8")
    secret = ["--autotask-secret", upstreams.autotask.config.secret]
    refused = runner.invoke(cli, [*_flags(upstreams, output), *secret])
    assert refused.exit_code == 1
    assert "--force" in refused.stderr
    assert output.read_text(encoding="utf-8") == "# mine\n"

    forced = runner.invoke(cli, [*_flags(upstreams, output), *secret, "--force"])
    assert forced.exit_code == 0, forced.output
    assert _mode(output) == 0o600
    assert "[autotask]" in output.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_non_interactive_init_names_missing_flags_and_writes_nothing(
    cli: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    output = tmp_path / "orderbridge.toml"
    result = runner.invoke(
        cli, ["init", "--non-interactive", "--autotask-username", "u", "-o", str(output)]
    )
    assert result.exit_code == 2
    for flag in ("--autotask-secret", "--integration-code", "--tdsynnex-password"):
        assert flag in result.stderr
    assert "--autotask-username" not in result.stderr
    assert not output.exists()


def test_wrong_credentials_are_reported_and_exit_1(
    cli: typer.Typer, runner: CliRunner, upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    output = tmp_path / "orderbridge.toml"
    vendor = str(upstreams.po("PO-10001")["vendorID"])
    flags = [
        *_flags(upstreams, output),
        "--autotask-secret",
        "wrong",
        "--vendor-company-id",
        vendor,
    ]
    result = runner.invoke(cli, flags)
    assert result.exit_code == 1, result.output
    assert "FAIL  Autotask credentials" in result.stdout
    assert "PASS  TD SYNNEX credentials" in result.stdout
    assert _mode(output) == 0o600


def test_interactive_init_lists_vendor_candidates_and_takes_the_pick(
    cli: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    scenario = builtin_scenario("demo").model_copy(
        update={"other_vendors": ["Ingram Micro", "SYNNEX Canada Ltd"]}
    )
    output = tmp_path / "orderbridge.toml"
    with simulated_upstreams(scenario) as upstreams:
        at, td = upstreams.autotask.config, upstreams.tdsynnex.config
        answers = [
            at.username,
            at.secret,
            at.integration_code,
            td.customer_number,
            td.user_id,
            td.password,
            "ca",  # region
            "",  # environment: the default
            "2",  # the second vendor candidate
            "",  # frequency: hourly
            "",  # scope: active
        ]
        result = runner.invoke(
            cli,
            ["init", *_endpoints(upstreams), "--output", str(output)],
            input="\n".join(answers) + "\n",
        )
        td_synnex_id = upstreams.po("PO-10001")["vendorID"]
    assert result.exit_code == 0, result.output
    listed = dict(re.findall(r"(\d)\) .+ \(company id (\d+)\)", result.stdout))
    assert len(listed) == 2, result.stdout
    assert str(td_synnex_id) in listed.values()
    assert "SYNNEX Canada Ltd" in result.stdout
    assert "Ingram Micro" not in result.stdout
    assert at.secret not in result.stdout
    assert td.password not in result.stdout
    settings = load_settings(output)
    assert settings.autotask.vendor_company_ids == [int(listed["2"])]
    assert settings.tdsynnex.region == "CA"
    assert settings.tdsynnex.environment == "production"
    assert (settings.sync.frequency, settings.sync.scope) == ("hourly", "active")
    assert _mode(output) == 0o600
