"""Distinctive credentials, every command and failure: no secret in output, logs or the store.

``tests/integration/cli/test_cli_secrets.py`` covers a good run, a wrong Autotask secret, ``log``
and ``status``. This adds dry runs, secrets given only through the environment, failing TD SYNNEX
and integration-code logins, upstreams that quote the credentials back in their errors, DEBUG
logging through ``configure_logging`` (the redactor) and raw records (no redactor), and the SQLite
file while its write-ahead log is live. The simulators' own request logs are not scanned: they
receive the credentials by design.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from typer.testing import CliRunner

from orderbridge.bootstrap import sync_services
from orderbridge.cli import app
from orderbridge.logs import configure_logging
from orderbridge.simulators.autotask import AutotaskSimConfig
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig
from tests.integration.hostile.hostile_cycles import MOVER_PO, activity_log
from tests.integration.hostile.hostile_interceptor import Answer
from tests.integration.hostile.hostile_logging import logging_restored, raw_records
from tests.integration.hostile.hostile_upstreams import (
    HOSTILE_PO,
    HostileUpstreams,
    hostile_upstreams,
    patch_for,
    tdsynnex_call,
)

pytestmark = pytest.mark.anyio

AUTOTASK_SECRET = "Qv7-AUTOTASK-SECRET-zz81"
INTEGRATION_CODE = "QV7INTEGRATIONCODE000000081"
TDSYNNEX_PASSWORD = "Qv7-TDSYNNEX-PASSWORD-kk42"
WRONG_AUTOTASK_SECRET = "Qv7-WRONG-AUTOTASK-ee19"
WRONG_INTEGRATION_CODE = "QV7WRONGINTEGRATIONCODE0019"
WRONG_TDSYNNEX_PASSWORD = "Qv7-WRONG-TDSYNNEX-pp07"
SECRETS = (
    AUTOTASK_SECRET,
    INTEGRATION_CODE,
    TDSYNNEX_PASSWORD,
    WRONG_AUTOTASK_SECRET,
    WRONG_INTEGRATION_CODE,
    WRONG_TDSYNNEX_PASSWORD,
)


@pytest.fixture
def upstreams() -> Iterator[HostileUpstreams]:
    """The simulator pair, expecting the distinctive credentials."""
    with hostile_upstreams(
        autotask_config=AutotaskSimConfig(
            secret=AUTOTASK_SECRET, integration_code=INTEGRATION_CODE
        ),
        tdsynnex_config=TdSynnexSimConfig(password=TDSYNNEX_PASSWORD),
    ) as running:
        yield running


def write_config(
    upstreams: HostileUpstreams,
    path: Path,
    database: Path,
    *,
    with_secrets: bool = True,
    sections: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """A config file logging at DEBUG, with ``sections`` merged over the simulators' values."""
    values = upstreams.settings_dict(database)
    values["logging"] = {"level": "DEBUG"}
    if not with_secrets:
        del values["autotask"]["secret"], values["autotask"]["integration_code"]
        del values["tdsynnex"]["password"]
    for name, overrides in (sections or {}).items():
        values[name] = {**values.get(name, {}), **overrides}
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path


def stored_bytes(database: Path) -> bytes:
    """The SQLite file and its write-ahead log and shared-memory files, as they are now."""
    return b"".join(
        p.read_bytes() for p in database.parent.iterdir() if p.name.startswith(database.name)
    )


def assert_no_secret(texts: list[str], stored: bytes) -> None:
    """None of the credentials in any text or in the store's bytes."""
    for secret in SECRETS:
        for text in texts:
            assert secret not in text
        assert secret.encode() not in stored


def echo_password_for_the_hostile_po(upstreams: HostileUpstreams) -> None:
    """TD SYNNEX quotes the request (password included) back in an error for one PO."""
    body = (
        "<SynnexB2B><errorMessage>IncompleteXML02</errorMessage><errorDetail>Bad request: "
        f"&lt;Password&gt;{TDSYNNEX_PASSWORD}&lt;/Password&gt; {TDSYNNEX_PASSWORD}"
        "</errorDetail></SynnexB2B>"
    ).encode()
    upstreams.tdsynnex_proxy.add(Answer(tdsynnex_call(HOSTILE_PO), body))


def test_no_secret_in_any_command_output_log_line_or_the_store(
    runner: CliRunner,
    upstreams: HostileUpstreams,
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = write_config(upstreams, tmp_path / "good.toml", database)
    bare = write_config(upstreams, tmp_path / "bare.toml", database, with_secrets=False)
    wrong = {
        "wrong-td.toml": {"tdsynnex": {"password": WRONG_TDSYNNEX_PASSWORD}},
        "wrong-at.toml": {"autotask": {"secret": WRONG_AUTOTASK_SECRET}},
        "wrong-code.toml": {"autotask": {"integration_code": WRONG_INTEGRATION_CODE}},
    }
    outputs: list[str] = []

    def invoke(args: list[str], config: Path, *codes: int) -> None:
        result = runner.invoke(app, [*args, "--config", str(config)])
        assert result.exit_code in codes, (args, config.name, result.output)
        outputs.extend([result.stdout, result.stderr])

    with logging_restored(), raw_records() as raw:
        invoke(["sync", "--once", "--dry-run"], good, 0)
        invoke(["sync", "--once"], good, 0)
        upstreams.tdsynnex.advance(MOVER_PO)
        with monkeypatch.context() as env:
            env.setenv("ORDERBRIDGE_AUTOTASK__SECRET", AUTOTASK_SECRET)
            env.setenv("ORDERBRIDGE_AUTOTASK__INTEGRATION_CODE", INTEGRATION_CODE)
            env.setenv("ORDERBRIDGE_TDSYNNEX__PASSWORD", TDSYNNEX_PASSWORD)
            invoke(["sync", "--once"], bare, 0)
        for name, sections in wrong.items():
            invoke(
                ["sync", "--once"],
                write_config(upstreams, tmp_path / name, database, sections=sections),
                1,
                2,
            )
        echo_password_for_the_hostile_po(upstreams)
        invoke(["sync", "--once"], good, 1, 2)
        invoke(["sync", "--once", "--dry-run"], good, 1, 2)
        invoke(["log"], good, 0)
        invoke(["status", HOSTILE_PO], good, 0)
        logged = raw.text
    assert upstreams.patches() > 0, "the good runs really wrote to Autotask"
    assert "TD SYNNEX" in logged, "DEBUG records were captured"
    assert any("***" in text for text in outputs), "the quoted password was masked, not dropped"
    assert_no_secret([*outputs, logged], stored_bytes(database))


async def test_no_secret_in_debug_logs_with_or_without_the_redactor(
    upstreams: HostileUpstreams, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with logging_restored(), raw_records() as raw:
        configure_logging(level="DEBUG", fmt="json", secrets=SECRETS[:3])
        async with sync_services(upstreams.settings(database)) as services:
            await services.sync.run_once(dry_run=True)
            await services.sync.run_once()
            live = stored_bytes(database)  # the store is open: its WAL holds the latest writes
            echo_password_for_the_hostile_po(upstreams)
            upstreams.tdsynnex.advance(HOSTILE_PO)
            await services.sync.run_once()
            echoed = activity_log(services.store)[HOSTILE_PO].error or ""
            upstreams.calm()
            upstreams.tdsynnex.config = upstreams.tdsynnex.service.config = TdSynnexSimConfig(
                password=WRONG_TDSYNNEX_PASSWORD
            )
            refused, _ = await services.sync.run_once()
        captured = capsys.readouterr()
        logged = raw.text
    assert "***" in echoed
    assert refused.outcome != "ok"
    lines = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    assert any(line.get("logger", "").startswith("orderbridge") for line in lines)
    assert_no_secret([captured.out, captured.err, logged, echoed], live + stored_bytes(database))


async def test_an_autotask_error_that_quotes_the_secret_is_masked(
    upstreams: HostileUpstreams, database: Path
) -> None:
    po_id = upstreams.po(HOSTILE_PO)["id"]
    quoted = json.dumps(
        {"errors": [f"Header Secret '{AUTOTASK_SECRET}' and code {INTEGRATION_CODE} rejected"]}
    ).encode()

    upstreams.autotask_proxy.add(
        Answer(patch_for(po_id), quoted, status=500, content_type="application/json")
    )
    upstreams.tdsynnex.advance(HOSTILE_PO)
    with logging_restored(), raw_records() as raw:
        async with sync_services(upstreams.settings(database)) as services:
            report, _ = await services.sync.run_once()
            error = activity_log(services.store)[HOSTILE_PO].error or ""
    assert report.failed == 1
    assert "***" in error
    assert_no_secret([error, raw.text], stored_bytes(database))
