"""Config files for the daemon tests: the simulators plus chosen ``[sync]`` keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from tests.integration.sync.simulated_upstreams import SimulatedUpstreams


def write_config(upstreams: SimulatedUpstreams, path: Path, database: Path, **sync: Any) -> Path:
    """A config file for the simulators with these ``[sync]`` keys (mode 600)."""
    values = upstreams.settings_dict(database)
    values["sync"] = {"adaptive": False, **sync}
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path
