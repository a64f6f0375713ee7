"""Fixture: a CLI app with the doctor, init and resync commands (the rest are shared)."""

from __future__ import annotations

import pytest
import typer

from orderbridge.cli._doctor import doctor
from orderbridge.cli._init import init
from orderbridge.cli._resync import resync


@pytest.fixture
def cli() -> typer.Typer:
    """A Typer app with just the commands under test (registration is the main app's job)."""
    app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)
    app.command("doctor")(doctor)
    app.command("init")(init)
    app.command("resync")(resync)
    return app
