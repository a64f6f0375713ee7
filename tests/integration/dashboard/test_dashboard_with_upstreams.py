"""The dashboard against the simulators: "Resync now" through the real sync, and ``run``
serving the dashboard beside the daemon when ``[web] enabled = true``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
import tomli_w

from orderbridge.adapters.store import SqlStore
from orderbridge.bootstrap import sync_services
from orderbridge.web import DashboardServer, WebServices, create_app
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

from .web_client import ADMIN_PASSWORD, login

CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]


@pytest.fixture
def upstreams() -> Iterator[SimulatedUpstreams]:
    with simulated_upstreams() as running:
        yield running


def test_resync_now_checks_the_order_through_the_sync(
    upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    settings = upstreams.settings(tmp_path / "ob.db")
    with SqlStore.open(settings.store.url) as store:

        async def first_cycle() -> None:
            async with sync_services(settings, store=store) as services:
                await services.sync.run_once()

        anyio.run(first_cycle)
        moved = upstreams.tdsynnex.advance_all()
        assert moved > 0
        services = WebServices.build(settings, store)
        services.accounts.add_user("ada", "admin", ADMIN_PASSWORD)
        before = len(store.runs())
        with (
            DashboardServer(create_app(services)) as server,
            httpx2.Client(base_url=server.url, timeout=60) as client,
        ):
            assert login(client, "ada", ADMIN_PASSWORD).status_code == 303
            page = client.get("/orders/PO-10005")
            token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
            assert token is not None
            done = client.post("/orders/PO-10005/resync", data={"csrf_token": token.group(1)})
            assert done.status_code == 303
            assert "PO PO-10005 checked" in client.get(done.headers["location"]).text
            unknown = client.post(
                "/api/v1/orders/PO-99999/resync", headers={"X-CSRF-Token": token.group(1)}
            ).json()
            assert unknown == {
                "ok": False,
                "message": "PO PO-99999 is not monitored in Autotask any more",
            }
        runs = store.runs()
        assert len(runs) == before + 2
        resynced = store.run(runs[1].id)  # newest first: the unknown PO's run is runs[0]
        assert resynced is not None
        assert [report.po_number for report in resynced.orders] == ["PO-10005"]


def test_run_serves_the_dashboard_when_web_is_enabled(
    upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    values = upstreams.settings_dict(tmp_path / "ob.db")
    values["web"] = {"enabled": True, "port": 0}
    values["sync"]["frequency"] = "daily"
    config = tmp_path / "orderbridge.toml"
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    config.chmod(0o600)
    process = subprocess.Popen(
        [*CLI, "run", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "240"},
    )
    try:
        assert process.stderr is not None
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            assert line, "orderbridge run ended before serving the dashboard"
            found = re.search(r"Dashboard on (http://\S+)/", line)
            url = found.group(1) if found else None
        assert url is not None
        assert httpx2.get(f"{url}/healthz").json()["status"] == "ok"
        assert httpx2.get(f"{url}/orders").status_code == 303
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def test_the_doctor_page_runs_the_real_doctor(
    upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    settings = upstreams.settings(tmp_path / "ob.db")
    with SqlStore.open(settings.store.url) as store:
        services = WebServices.build(settings, store)
        services.accounts.add_user("ada", "admin", ADMIN_PASSWORD)
        with (
            DashboardServer(create_app(services)) as server,
            httpx2.Client(base_url=server.url, timeout=60) as client,
        ):
            assert login(client, "ada", ADMIN_PASSWORD).status_code == 303
            page = client.get("/doctor")
            token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
            assert token is not None
            ran = client.post("/doctor", data={"csrf_token": token.group(1)})
            assert ran.status_code == 200
            assert '<span class="badge pass">PASS</span>' in ran.text
            assert "configuration" in ran.text
            checks = client.post("/api/v1/doctor", headers={"X-CSRF-Token": token.group(1)})
            names = {c["name"]: c["outcome"] for c in checks.json()}
            assert names["configuration"] == "pass"
            assert len(names) > 5
