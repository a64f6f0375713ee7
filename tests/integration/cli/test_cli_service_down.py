"""A service that is down is said once per run: which service, which URL, what was tried, what
to check; the orders it failed stay in the activity log, and log lines never mix into tables."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import tomli_w

from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]
FAST_RETRY = {"attempts": 2, "initial_backoff_s": 0, "max_backoff_s": 0, "total_timeout_s": 5}


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(path: Path, values: dict[str, Any]) -> Path:
    values["retry"] = FAST_RETRY
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path


def _sync(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "sync", "--once", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _no_json_lines(*streams: str) -> None:
    for stream in streams:
        assert not [line for line in stream.splitlines() if line.lstrip().startswith("{")]


def test_tdsynnex_down_is_said_once(upstreams: SimulatedUpstreams, tmp_path: Path) -> None:
    values = upstreams.settings_dict(tmp_path / "orderbridge.db")
    url = f"http://127.0.0.1:{_closed_port()}"
    values["tdsynnex"]["status_url"] = f"{url}/SynnexXML/POStatus"
    values["tdsynnex"]["invoice_url"] = f"{url}/webservice/invoice/query"
    done = _sync(_config(tmp_path / "orderbridge.toml", values))
    assert done.returncode == 1, done.stderr
    said = [line for line in done.stderr.splitlines() if "could not be reached" in line]
    assert len(said) == 1, done.stderr
    assert said[0].startswith(f"TD SYNNEX could not be reached at {url}/SynnexXML/POStatus: 24")
    assert "tried 2 times" in said[0]
    assert "orderbridge doctor" in said[0]
    assert "retried" not in done.stderr
    assert "retrying" not in done.stderr
    assert "PO-10001" not in done.stdout  # per-order failures stay in the activity log
    assert "24 orders failed because a service could not be reached" in done.stdout
    _no_json_lines(done.stdout, done.stderr)


def test_autotask_down_is_said_once(upstreams: SimulatedUpstreams, tmp_path: Path) -> None:
    values = upstreams.settings_dict(tmp_path / "orderbridge.db")
    url = f"http://127.0.0.1:{_closed_port()}/ATServicesRest/V1.0/zoneInformation"
    values["autotask"]["zone_lookup_url"] = url
    done = _sync(_config(tmp_path / "orderbridge.toml", values))
    assert done.returncode == 1, done.stderr
    said = [line for line in done.stderr.splitlines() if "stopped" in line]
    assert len(said) == 1, done.stderr
    assert said[0].startswith("The run stopped before checking orders:")
    assert f"Autotask was asked at {url}" in said[0]
    assert "tried 2 times" in said[0]
    assert "will be retried" not in done.stderr
    _no_json_lines(done.stdout, done.stderr)


def test_doctor_with_a_service_down_prints_checks_not_retry_warnings(
    upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    values = upstreams.settings_dict(tmp_path / "orderbridge.db")
    url = f"http://127.0.0.1:{_closed_port()}"
    values["tdsynnex"]["status_url"] = f"{url}/SynnexXML/POStatus"
    values["tdsynnex"]["invoice_url"] = f"{url}/webservice/invoice/query"
    config = _config(tmp_path / "orderbridge.toml", values)
    done = subprocess.run(
        [*CLI, "doctor", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    assert "FAIL  TD SYNNEX credentials" in done.stdout
    assert "retrying" not in done.stderr
    _no_json_lines(done.stdout, done.stderr)
