"""``orderbridge users``, ``tokens``, ``serve`` and ``demo --serve`` from the command line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from orderbridge.cli import app

PASSWORD = "a long enough password"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "orderbridge.toml"
    path.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "ob.db"}"\n', encoding="utf-8")
    return path


def test_users_are_added_listed_changed_and_removed(runner: CliRunner, config: Path) -> None:
    base = ["--config", str(config)]
    added = runner.invoke(app, ["users", "add", "ada", "--role", "admin", *base], input=PASSWORD)
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    again = runner.invoke(app, ["users", "add", "ada", "--role", "viewer", *base], input=PASSWORD)
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert "Traceback" not in again.output
    short = runner.invoke(app, ["users", "add", "bob", *base], input="short\n")
    assert short.exit_code == 2
    assert "too short" in short.output
    role = runner.invoke(app, ["users", "add", "bob", "--role", "root", *base], input=PASSWORD)
    assert role.exit_code == 2
    listed = runner.invoke(app, ["users", "list", *base])
    assert re.search(r"ada\s+.*admin", listed.stdout)
    changed = runner.invoke(app, ["users", "passwd", "ada", *base], input="another password!\n")
    assert changed.exit_code == 0, changed.output
    assert runner.invoke(app, ["users", "remove", "ada", *base]).exit_code == 0
    missing = runner.invoke(app, ["users", "remove", "ada", *base])
    assert missing.exit_code == 2
    assert "no user called 'ada'" in missing.output


def _wait_for(process: subprocess.Popen[str], pattern: str, seen: list[str]) -> re.Match[str]:
    assert process.stderr is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    process.kill()
    raise AssertionError("".join(seen))


def _cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "240", "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", "from orderbridge.cli import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_serve_serves_the_dashboard_and_a_token_reads_the_api(
    runner: CliRunner, config: Path
) -> None:
    created = runner.invoke(app, ["tokens", "create", "script", "--config", str(config)])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    assert token.startswith("obt_")
    listed = runner.invoke(app, ["tokens", "list", "--config", str(config)])
    assert "script" in listed.stdout
    assert token not in listed.stdout
    server = _cli("serve", "--port", "0", "--config", str(config))
    seen: list[str] = []
    try:
        url = _wait_for(server, r"Dashboard on (http://\S+)/", seen).group(1)
        _wait_for(server, r"No dashboard user yet", seen)
        health = httpx2.get(f"{url}/healthz")
        assert health.json()["status"] == "ok"
        api = httpx2.get(f"{url}/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
        assert api.json()["total"] == 0
        assert httpx2.get(f"{url}/orders").status_code == 303
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=20) == 0


@pytest.mark.slow
def test_demo_serve_keeps_the_dashboard_open_with_a_demo_login(tmp_path: Path) -> None:
    demo = _cli("demo", "--dir", str(tmp_path), "--rounds", "1", "--serve", "--port", "0")
    seen: list[str] = []
    try:
        url = _wait_for(demo, r"Dashboard on (http://\S+)/", seen).group(1)
        password = _wait_for(demo, r"Demo login: user demo, password (\S+)", seen).group(1)
        with httpx2.Client(base_url=url) as client:
            form = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]*)"', form.text)
            assert token is not None
            signed = client.post(
                "/login",
                data={"username": "demo", "password": password, "csrf_token": token.group(1)},
            )
            assert signed.status_code == 303
            assert "PO-10005" in client.get("/orders", params={"q": "PO-10005"}).text
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0


def test_plain_demo_ends_and_says_how_to_open_the_dashboard(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path), "--rounds", "1"])
    assert result.exit_code == 0, result.output
    tail = result.stdout.strip().splitlines()[-3:]
    assert any("orderbridge demo --serve" in line for line in tail)
    assert any("orderbridge serve --config" in line for line in tail)
