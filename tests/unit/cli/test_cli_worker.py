"""``orderbridge worker`` and ``scheduler`` refuse a SQLite store in words a user can act on."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.cli import app


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_workers_need_the_postgresql_store(tmp_path: Path, command: str) -> None:
    config = tmp_path / "orderbridge.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "o.db"}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, [command, "--config", str(config)])
    assert result.exit_code == 2
    assert "workers need the PostgreSQL store" in result.output
    assert "migrate-store" in result.output
    assert not (tmp_path / "o.db").exists()  # refused before anything was created
