"""``orderbridge simulate``: run a simulator as a standalone server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orderbridge.simulators.scenario import (
    Scenario,
    ScenarioError,
    TdErrorStyle,
    builtin_scenario,
    load_scenario,
)

from ._common import fail

app = typer.Typer(
    help="Run a local simulator of Autotask, TD SYNNEX or a carrier's tracking API.",
    no_args_is_help=True,
)

PortOption = Annotated[
    int, typer.Option("--port", "-p", help="TCP port to listen on.", min=0, max=65535)
]
HostOption = Annotated[str, typer.Option("--host", help="Address to bind (keep it on loopback).")]
ScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        "-s",
        help="Scenario to load at start: a YAML/JSON file, or 'demo' for the built-in one.",
    ),
]


def _scenario(value: str | None) -> Scenario | None:
    if value is None:
        return None
    try:
        if value == "demo" and not Path(value).exists():
            return builtin_scenario("demo")
        return load_scenario(value)
    except ScenarioError as exc:
        fail([f"scenario error: {exc}"])


@app.command("autotask")
def autotask(
    port: PortOption = 8081, host: HostOption = "127.0.0.1", scenario: ScenarioOption = None
) -> None:
    """Serve the Autotask REST simulator (base path /ATServicesRest/V1.0/, admin under /_sim/)."""
    from orderbridge.simulators.autotask import serve

    typer.echo(f"Autotask simulator on http://{host}:{port}/ATServicesRest/V1.0/ (Ctrl-C stops)")
    serve(port=port, host=host, scenario=_scenario(scenario))


ErrorStyleOption = Annotated[
    TdErrorStyle,
    typer.Option(
        "--error-style",
        help="Error elements refused requests get (which form TD SYNNEX uses is unconfirmed).",
    ),
]


@app.command("tdsynnex")
def tdsynnex(
    port: PortOption = 8082,
    host: HostOption = "127.0.0.1",
    scenario: ScenarioOption = None,
    error_style: ErrorStyleOption = TdErrorStyle.LOWER,
) -> None:
    """Serve the TD SYNNEX XML simulator (POST /SynnexXML/POStatus, admin under /_sim/)."""
    from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, serve

    typer.echo(f"TD SYNNEX simulator on http://{host}:{port}/SynnexXML/POStatus (Ctrl-C stops)")
    config = TdSynnexSimConfig(error_style=error_style)
    serve(port=port, host=host, scenario=_scenario(scenario), config=config)


_CARRIER_PATHS = {
    "ups": ("UPS", 8083, "GET /api/track/v1/details/{number}"),
    "fedex": ("FedEx", 8084, "POST /track/v1/trackingnumbers"),
    "usps": ("USPS", 8085, "GET /tracking/v3/tracking/{number}"),
    "dhl": ("DHL", 8086, "GET /track/shipments?trackingNumber="),
}


def _carrier_command(name: str) -> None:
    label, default_port, path = _CARRIER_PATHS[name]

    def command(
        port: PortOption = default_port,
        host: HostOption = "127.0.0.1",
        scenario: ScenarioOption = None,
    ) -> None:
        from orderbridge.simulators.carriers import serve

        typer.echo(f"{label} tracking simulator on http://{host}:{port} ({path}; Ctrl-C stops)")
        serve(name, port=port, host=host, scenario=_scenario(scenario))

    command.__doc__ = (
        f"Serve the {label} tracking simulator (token and tracking calls, admin under /_sim/)."
    )
    app.command(name)(command)


for _name in _CARRIER_PATHS:
    _carrier_command(_name)
