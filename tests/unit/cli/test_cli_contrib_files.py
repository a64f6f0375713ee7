"""The shipped deployment files name commands and options the CLI really has.

The compose file, the Dockerfile and the systemd units each start orderbridge with some
arguments; a renamed command or flag would only show when an operator starts them. Every such
command line is parsed here by the real CLI (``--help`` appended, so nothing runs), and the
worker unit keeps the directives graceful scale-down relies on.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from orderbridge.cli import app

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "contrib/docker/compose.yaml"
DOCKERFILE = ROOT / "contrib/docker/Dockerfile"
UNITS = sorted((ROOT / "contrib/systemd").glob("*.service"))


def _compose_commands() -> list[list[str]]:
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    return [list(s["command"]) for s in services.values() if s.get("image") != "postgres:17"]


def _dockerfile_command() -> list[str]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    found = re.search(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)
    assert found is not None
    return list(json.loads(found.group(1)))


def _unit_commands() -> list[list[str]]:
    commands = []
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart="))
                assert words[0].endswith("/orderbridge"), line
                commands.append(words[1:])
    return commands


COMMANDS = [*_compose_commands(), _dockerfile_command(), *_unit_commands()]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_shipped_command_line_parses(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output


def test_the_shipped_files_start_workers_a_scheduler_and_the_dashboard() -> None:
    names = {command[0] for command in COMMANDS}
    assert {"worker", "scheduler", "serve", "run"} <= names


def test_the_image_installs_the_postgresql_extra() -> None:
    syncs = [line for line in DOCKERFILE.read_text().splitlines() if "uv sync" in line]
    assert syncs
    assert all("--extra postgres" in line for line in syncs), syncs


def test_the_worker_unit_gives_a_batch_time_to_finish() -> None:
    unit = (ROOT / "contrib/systemd/orderbridge-worker@.service").read_text(encoding="utf-8")
    assert "KillSignal=SIGTERM" in unit
    stop = re.search(r"^TimeoutStopSec=(\d+)$", unit, flags=re.MULTILINE)
    assert stop is not None
    assert int(stop.group(1)) >= 120
