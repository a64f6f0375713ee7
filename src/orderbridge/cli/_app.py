"""The Typer application and the commands' registration."""

from __future__ import annotations

import typer

from orderbridge import __version__

from ._demo import demo
from ._doctor import doctor
from ._init import init
from ._notify import app as notify_app
from ._orders import log, status
from ._resync import resync
from ._run import run
from ._serve import serve
from ._settings import app as settings_app
from ._simulate import app as simulate_app
from ._switch import disable, enable
from ._sync import sync
from ._users import tokens_app, users_app

app = typer.Typer(
    name="orderbridge",
    help="Keep Autotask purchase orders in step with TD SYNNEX order status.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(simulate_app, name="simulate")
app.add_typer(settings_app, name="settings")
app.add_typer(notify_app, name="notify")  # notifications (issue 11)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.command("init")(init)
app.command("sync")(sync)
app.command("run")(run)
app.command("resync")(resync)
app.command("doctor")(doctor)
app.command("enable")(enable)
app.command("disable")(disable)
app.command("status")(status)
app.command("log")(log)
app.command("demo")(demo)
app.command("serve")(serve)


@app.command("version")
def version() -> None:
    """Print orderbridge's version."""
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()
