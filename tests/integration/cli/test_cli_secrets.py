"""Credentials never show up in command output, logs or the store."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.cli import app
from orderbridge.simulators.autotask import AutotaskSimConfig
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig
from tests.integration.sync.simulated_upstreams import simulated_upstreams

AUTOTASK_SECRET = "S3CR3T-AUTOTASK-xyz"
INTEGRATION_CODE = "S3CR3TINTEGRATIONCODE0000042"
TDSYNNEX_PASSWORD = "S3CR3T-TDSYNNEX-pw"
WRONG_SECRET = "S3CR3T-WRONG-abc"
SECRETS = (AUTOTASK_SECRET, INTEGRATION_CODE, TDSYNNEX_PASSWORD, WRONG_SECRET)


def test_secrets_appear_nowhere(
    runner: CliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "secrets.db"
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    with simulated_upstreams(
        autotask_config=AutotaskSimConfig(
            secret=AUTOTASK_SECRET, integration_code=INTEGRATION_CODE
        ),
        tdsynnex_config=TdSynnexSimConfig(password=TDSYNNEX_PASSWORD),
    ) as upstreams:
        good = upstreams.write_config(tmp_path / "good.toml", database)
        wrong = upstreams.write_config(tmp_path / "wrong.toml", database, secret=WRONG_SECRET)
        for config, expected in ((good, 1), (wrong, 2)):
            result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
            assert result.exit_code == expected, result.output
            outputs += [result.stdout, result.stderr]
        for command in (["log"], ["status", "PO-10015"]):
            result = runner.invoke(app, [*command, "--config", str(good)])
            assert result.exit_code == 0, result.output
            outputs.append(result.stdout)
        assert upstreams.patches() > 0  # the good run really talked to both services
    stored = b"".join(
        path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("secrets.db")
    )
    assert b"Invoiced" in stored
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    for secret in SECRETS:
        for text in outputs:
            assert secret not in text
        assert secret not in logged
        assert secret.encode() not in stored
