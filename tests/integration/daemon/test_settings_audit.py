"""Settings changes from the CLI land in the audit trail with who made them and before/after."""

from __future__ import annotations

import getpass
from pathlib import Path

from typer.testing import CliRunner

from orderbridge.adapters.store import RecordsStore, SqlStore
from orderbridge.cli import app
from orderbridge.domain.records import AuditKind


def test_settings_set_disable_and_reset_are_audited(
    runner: CliRunner, config: Path, database: Path
) -> None:
    for args in (["settings", "set", "frequency", "15m"], ["disable"], ["settings", "--reset"]):
        done = runner.invoke(app, [*args, "--config", str(config)])
        assert done.exit_code == 0, done.output
    with SqlStore.open(f"sqlite:///{database}") as store:
        entries = RecordsStore(store).audit("default")
    changes = [(e.field, e.before, e.after) for e in reversed(entries) if e.before is not None]
    assert changes == [
        ("frequency", "realtime", "custom:15m"),
        ("enabled", "true", "false"),
        ("enabled", "false", "true"),
        ("frequency", "custom:15m", "realtime"),
    ]
    assert {e.kind for e in entries} == {AuditKind.SETTING_CHANGE}
    assert {e.actor for e in entries} == {f"cli:{getpass.getuser()}"}
    shown = runner.invoke(app, ["audit", "--config", str(config)])
    assert shown.exit_code == 0, shown.output
    assert "custom:15m" in shown.stdout
    assert "setting change" in shown.stdout
