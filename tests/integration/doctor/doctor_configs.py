"""Config files for the doctor tests: the simulators' settings with chosen keys changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


def write_config(
    upstreams: SimulatedUpstreams,
    path: Path,
    database: Path,
    *,
    tdsynnex: dict[str, Any] | None = None,
    web: dict[str, Any] | None = None,
    **autotask: Any,
) -> Path:
    """A mode-600 config for the simulators, with ``tdsynnex``, ``web`` and ``autotask`` keys
    overridden."""
    values = upstreams.settings_dict(database, **autotask)
    values["tdsynnex"].update(tdsynnex or {})
    if web:
        values.setdefault("web", {}).update(web)
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path


def outcomes(stdout: str) -> dict[str, str]:
    """``{check name: PASS|WARN|FAIL}`` from doctor's plain output."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        label, _, rest = line.partition("  ")
        if label in ("PASS", "WARN", "FAIL") and ":" in rest:
            found[rest.split(":", 1)[0].strip()] = label
    return found


def block(stdout: str, name: str) -> str:
    """The lines doctor printed for one check (its detail and fix)."""
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line[4:].lstrip().startswith(f"{name}:"):
            following = [line]
            for extra in lines[i + 1 :]:
                if extra[:4] in ("PASS", "WARN", "FAIL") or not extra.startswith(" "):
                    break
                following.append(extra)
            return "\n".join(following)
    raise AssertionError(f"doctor printed no check named {name!r}:\n{stdout}")
