"""The Typer application and the commands' registration."""

from __future__ import annotations

import typer

from orderbridge import __version__

from ._demo import demo
from ._orders import log, status
from ._simulate import app as simulate_app
from ._sync import sync

app = typer.Typer(
    name="orderbridge",
    help="Keep Autotask purchase orders in step with TD SYNNEX order status.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(simulate_app, name="simulate")
app.command("sync")(sync)
app.command("status")(status)
app.command("log")(log)
app.command("demo")(demo)


@app.command("version")
def version() -> None:
    """Print orderbridge's version."""
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()
