"""The shipped systemd unit: the directives operations rely on, and ``systemd-analyze verify``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[3] / "contrib" / "systemd" / "orderbridge.service"


def directives(text: str) -> dict[str, dict[str, list[str]]]:
    """``{section: {key: [values]}}`` of a unit file (comments and blank lines ignored)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"directive outside a section: {line}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_the_unit_runs_orderbridge_as_a_hardened_restartable_service() -> None:
    unit = directives(UNIT.read_text(encoding="utf-8"))
    service = unit["Service"]
    assert service["User"] == ["orderbridge"]
    assert service["WorkingDirectory"] == ["/var/lib/orderbridge"]
    assert service["EnvironmentFile"][0].startswith("/etc/orderbridge/")
    assert service["ExecStart"][0].endswith("orderbridge run")
    assert service["Restart"] == ["on-failure"]
    assert service["KillSignal"] == ["SIGTERM"]
    assert int(service["TimeoutStopSec"][0]) >= 30  # time for in-flight orders to finish
    assert service["RestartPreventExitStatus"] == ["2"]  # config errors and a held lease
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "RestrictSUIDSGID"):
        assert service[option] == ["yes"], option
    assert service["ProtectSystem"] == ["strict"]
    assert "network-online.target" in unit["Unit"]["After"][0]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


@pytest.mark.parametrize(
    ("unit_file", "instance"),
    [
        (UNIT, "orderbridge.service"),
        (UNIT.with_name("orderbridge-worker@.service"), "orderbridge-worker@1.service"),
        (UNIT.with_name("orderbridge-scheduler.service"), "orderbridge-scheduler.service"),
    ],
    ids=["run", "worker", "scheduler"],
)
def test_systemd_analyze_verify_accepts_the_unit(
    tmp_path: Path, unit_file: Path, instance: str
) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here; the directive test still ran")
    # verify checks that ExecStart exists: point it at this Python instead of /opt/...
    text = unit_file.read_text(encoding="utf-8")
    start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    copy = tmp_path / instance
    copy.write_text(text.replace(start, f"ExecStart={sys.executable} -c pass"))
    done = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert instance not in done.stderr, done.stderr  # no warnings about our unit
