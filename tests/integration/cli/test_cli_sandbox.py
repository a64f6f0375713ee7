"""``orderbridge sandbox`` and ``simulate --advance-every``: a place to try every command."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from orderbridge.cli import app

CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]


def _read_until(child: subprocess.Popen[str], last: str) -> list[str]:
    assert child.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith(last):
            return lines
    raise AssertionError(f"never printed {last!r}: {lines}")


def _stop(child: subprocess.Popen[str], how: int = signal.SIGINT) -> tuple[int, str]:
    child.send_signal(how)
    out, _ = child.communicate(timeout=30)
    return child.returncode, out


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """A running sandbox in ``tmp_path`` (orders advance every second) and what it printed."""
    child = subprocess.Popen(
        [*CLI, "sandbox", "--dir", str(tmp_path), "--advance-every", "1s", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield child, _read_until(child, "Demo login: ")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)


def _order_state(base_url: str, po_number: str) -> str:
    with urllib.request.urlopen(f"{base_url}/_sim/orders/{po_number}", timeout=10) as answer:  # noqa: S310
        return str(json.load(answer)["state"])


def test_the_sandbox_serves_a_config_every_command_works_with(
    sandbox: tuple[subprocess.Popen[str], list[str]], runner: CliRunner, tmp_path: Path
) -> None:
    child, printed = sandbox
    config = tmp_path / "sandbox.toml"
    assert config.is_file()
    assert config.stat().st_mode & 0o077 == 0
    text = "\n".join(printed)
    for command in ("doctor", "sync --once --dry-run", "status PO-10005", "log", "run"):
        assert f"orderbridge {command} --config" in text
    assert "Started server process" not in text  # no stray uvicorn start-up lines
    args = ["--config", str(config)]
    dry = runner.invoke(app, ["sync", "--once", "--dry-run", *args])
    assert "Dry run (nothing written)" in dry.stdout, dry.output
    synced = runner.invoke(app, ["sync", "--once", *args])
    assert synced.exit_code in (0, 1), synced.output  # 1: PO-10021's temporary error
    status = runner.invoke(app, ["status", "PO-10005", *args])
    assert status.exit_code == 0, status.output
    assert runner.invoke(app, ["log", *args]).exit_code == 0
    doctor = runner.invoke(app, ["doctor", *args])
    assert "PASS  Autotask credentials" in doctor.stdout, doctor.output
    assert "PASS  TD SYNNEX credentials" in doctor.stdout
    time.sleep(2.5)  # the orders move on by themselves
    again = runner.invoke(app, ["sync", "--once", *args])
    assert "updated" in again.stdout, again.output
    code, rest = _stop(child)
    assert code == 0, rest
    assert "Sandbox stopped" in rest


def test_the_sandbox_serves_the_dashboard_on_its_store_with_a_demo_login(
    sandbox: tuple[subprocess.Popen[str], list[str]], runner: CliRunner, tmp_path: Path
) -> None:
    child, printed = sandbox
    text = "\n".join(printed)
    address = re.search(r"Dashboard on (http://127\.0\.0\.1:\d+)/", text)
    login = re.search(r"Demo login: user demo, password (\S+)  \(Ctrl-C stops the sandbox\)", text)
    assert address is not None, text
    assert login is not None, text
    synced = runner.invoke(app, ["sync", "--once", "--config", str(tmp_path / "sandbox.toml")])
    assert synced.exit_code in (0, 1), synced.output  # 1: PO-10021's temporary error
    with httpx2.Client(base_url=address.group(1)) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', form.text)
        assert token is not None
        answer = client.post(
            "/login",
            data={"username": "demo", "password": login.group(1), "csrf_token": token.group(1)},
        )
        assert answer.status_code == 303
        page = client.get("/orders/PO-10005")  # written by the sync through sandbox.toml
    assert page.status_code == 200
    assert '<dd id="next-check">' in page.text
    code, rest = _stop(child, signal.SIGTERM)
    assert code == 0, rest
    assert "Dashboard stopped." in rest
    assert "Sandbox stopped" in rest


def test_simulate_advance_every_moves_orders_along(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [*CLI, "simulate", "tdsynnex", "--port", "0", "--scenario", "demo", "--advance-every", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = _read_until(child, "Every order moves one lifecycle step every 1 s.")
        base_url = printed[0].split(" on ", 1)[1].split("/SynnexXML", 1)[0]
        assert not base_url.endswith(":0")  # the real port, not the one asked for
        before = _order_state(base_url, "PO-10001")
        time.sleep(2.5)
        assert _order_state(base_url, "PO-10001") != before
    finally:
        code, rest = _stop(child, signal.SIGTERM)  # a service manager's stop: as clean as Ctrl-C
    assert code == 0, rest
    assert "Started server process" not in "\n".join(printed) + rest


def test_a_bad_period_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["simulate", "tdsynnex", "--advance-every", "soon"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "--advance-every: 'soon' is not a period such as 30s, 2m or 1h"
    )
