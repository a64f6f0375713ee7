"""Start-up stays light: ``--help``, ``version`` and configuration errors load no heavy stack.

Each case runs in a fresh interpreter with ``-X importtime`` and reads which modules it loaded,
so a command module that imports the database, HTTP or settings code at module level fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-X", "importtime", "-c", "from orderbridge.cli import main; main()"]
DATABASE_AND_HTTP = ("sqlalchemy", "alembic", "httpx2", "httpcore", "uvicorn", "starlette")
APPLICATION = ("orderbridge.bootstrap", "orderbridge.adapters", "orderbridge.application")


def _loaded(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERBRIDGE_")}
    done = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60, check=False
    )
    modules = {
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return done, modules


def _offenders(modules: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(f"{p}.") for p in prefixes)}


@pytest.mark.parametrize("args", [["--help"], ["version"], ["--version"]])
def test_help_and_version_load_no_settings_database_or_http(
    args: list[str], tmp_path: Path
) -> None:
    done, modules = _loaded(args, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "orderbridge.cli._app" in modules or args[0] in ("version", "--version")
    heavy = ("pydantic", "pydantic_settings", "orderbridge.settings", "anyio", "rich")
    assert not _offenders(modules, (*DATABASE_AND_HTTP, *APPLICATION, *heavy))


def test_a_command_help_loads_no_settings_database_or_http(tmp_path: Path) -> None:
    done, modules = _loaded(["sync", "--help"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--dry-run" in done.stdout
    # typer validates a command's parameters with pydantic itself; orderbridge's settings stay out.
    heavy = ("pydantic_settings", "orderbridge.settings", "anyio")
    assert not _offenders(modules, (*DATABASE_AND_HTTP, *APPLICATION, *heavy))


def test_version_flag_and_command_print_the_same(tmp_path: Path) -> None:
    flag, _ = _loaded(["--version"], tmp_path)
    command, _ = _loaded(["version"], tmp_path)
    from orderbridge import __version__

    assert flag.stdout.strip() == command.stdout.strip() == __version__


def test_a_configuration_error_loads_no_database_or_http_code(tmp_path: Path) -> None:
    done, modules = _loaded(["doctor"], tmp_path)
    assert done.returncode == 2
    assert "configuration error" in done.stderr
    assert not _offenders(modules, (*DATABASE_AND_HTTP, *APPLICATION))


def test_the_error_styles_spelled_out_for_help_match_the_simulator() -> None:
    from orderbridge.cli._simulate import ERROR_STYLES
    from orderbridge.simulators.scenario import TdErrorStyle

    assert tuple(style.value for style in TdErrorStyle) == ERROR_STYLES
    assert ERROR_STYLES[0] == TdErrorStyle.LOWER  # the default
