"""No command ends in a traceback on bad input: one readable line and exit code 2.

Every command that reads a configuration runs with no configuration at all, an empty file, a
file with each required key blank, and a file it cannot read. None may print a traceback, leave
a store file behind, or say more than one line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from orderbridge.cli import app

# Every command that reads the configuration, with the arguments it needs.
CONFIG_COMMANDS: dict[str, list[str]] = {
    "doctor": ["doctor"],
    "sync": ["sync", "--once"],
    "sync dry run": ["sync", "--once", "--dry-run"],
    "run": ["run"],
    "resync": ["resync", "PO-1"],
    "status": ["status", "PO-1"],
    "log": ["log"],
    "enable": ["enable"],
    "disable": ["disable"],
    "settings": ["settings"],
    "settings set": ["settings", "set", "frequency", "daily"],
    "settings reset": ["settings", "--reset"],
    "notify status": ["notify", "status"],
    "users list": ["users", "list"],
    "tokens list": ["tokens", "list"],
    "report delivery": ["report", "delivery"],
    "serve": ["serve"],
    "export": ["export", "runs"],
    "backup": ["backup", "backup.db"],
    "archive": ["archive", "--dry-run"],
    "unarchive": ["unarchive", "PO-1"],
    "audit": ["audit"],
    "restore": ["restore", "backup.db"],
    "migrate-store": ["migrate-store", "--to", "sqlite:///copy.db"],
    "tenants list": ["tenants", "list"],
    "tenants show": ["tenants", "show", "acme"],
    "tenants disable": ["tenants", "disable", "acme"],
    "tenants remove": ["tenants", "remove", "acme", "--yes"],
    "keys rotate": ["keys", "rotate"],
    "worker": ["worker"],
    "scheduler": ["scheduler"],
}
# Commands that read no configuration file (init writes one; the others need none).
NO_CONFIG_COMMANDS = {"init", "demo", "sandbox", "simulate", "version"}

REQUIRED = {
    "autotask": {"username": "api@example.com", "secret": "s3cr3t-value", "integration_code": "IC"},
    "tdsynnex": {"customer_number": "123", "user_id": "user", "password": "pa55-word"},
}


def test_the_table_covers_every_registered_command() -> None:
    registered = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    tested = {args[0] for args in CONFIG_COMMANDS.values()} | NO_CONFIG_COMMANDS
    assert registered == tested, "add the new command to CONFIG_COMMANDS or NO_CONFIG_COMMANDS"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory, with no ORDERBRIDGE_* variable set."""
    for name in list(os.environ):
        if name.startswith("ORDERBRIDGE_"):
            monkeypatch.delenv(name)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield cwd
    assert not list(cwd.iterdir()), "a command left a file behind in the working directory"


def _one_line_exit_2(runner: CliRunner, args: list[str], what: str) -> str:
    result = runner.invoke(app, args)
    shown = f"{what}: {' '.join(args)}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.output, shown
    assert result.exit_code == 2, shown
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, shown
    assert result.stdout == "", shown
    return lines[0]


@pytest.mark.parametrize("command", sorted(CONFIG_COMMANDS))
def test_no_configuration_at_all(runner: CliRunner, workdir: Path, command: str) -> None:
    line = _one_line_exit_2(runner, CONFIG_COMMANDS[command], "no configuration")
    assert "no configuration file" in line
    assert str(workdir) in line  # says where it looked


@pytest.mark.parametrize("command", sorted(CONFIG_COMMANDS))
def test_an_empty_configuration(runner: CliRunner, workdir: Path, command: str) -> None:
    empty = workdir.parent / "empty.toml"
    empty.write_text("", encoding="utf-8")
    line = _one_line_exit_2(runner, [*CONFIG_COMMANDS[command], "--config", str(empty)], "empty")
    assert "required to talk to" in line or f"no store at {workdir}" in line


@pytest.mark.parametrize("command", sorted(CONFIG_COMMANDS))
@pytest.mark.parametrize(
    "blank", [f"{s}.{k}" for s, keys in REQUIRED.items() for k in keys], ids=str
)
def test_each_required_key_blank(
    runner: CliRunner, workdir: Path, command: str, blank: str
) -> None:
    section, key = blank.split(".")
    values = {s: dict(keys) for s, keys in REQUIRED.items()}
    values[section][key] = ""
    config = workdir.parent / "blank.toml"
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    config.chmod(0o600)
    line = _one_line_exit_2(runner, [*CONFIG_COMMANDS[command], "--config", str(config)], blank)
    assert f"{blank} is required" in line or "no store at" in line
    for secret in ("s3cr3t-value", "pa55-word"):
        assert secret not in line


@pytest.mark.parametrize("command", sorted(CONFIG_COMMANDS))
@pytest.mark.parametrize("kind", ["not utf-8", "a directory", "missing", "not toml"])
def test_a_configuration_it_cannot_read(
    runner: CliRunner, workdir: Path, command: str, kind: str
) -> None:
    config = workdir.parent / "unreadable.toml"
    if kind == "not utf-8":
        config.write_bytes(b"\xff\xfe[autotask]\x00")
    elif kind == "a directory":
        config.mkdir()
    elif kind == "not toml":
        config.write_text("[autotask\nusername = ", encoding="utf-8")
    line = _one_line_exit_2(runner, [*CONFIG_COMMANDS[command], "--config", str(config)], kind)
    assert line.startswith("configuration error: config file")
    assert str(config) in line


def test_a_file_without_read_permission(runner: CliRunner, workdir: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file: permissions cannot make a file unreadable here")
    config = workdir.parent / "private.toml"
    config.write_text("[autotask]\n", encoding="utf-8")
    config.chmod(0)
    line = _one_line_exit_2(runner, ["doctor", "--config", str(config)], "mode 000")
    assert "Permission denied" in line
