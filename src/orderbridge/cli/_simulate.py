"""``orderbridge simulate``: run a simulator as a standalone server."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import fail

if TYPE_CHECKING:
    from orderbridge.simulators._common import SimulatorServer
    from orderbridge.simulators.scenario import Scenario

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
AdvanceOption = Annotated[
    str | None,
    typer.Option(
        "--advance-every",
        metavar="PERIOD",
        help="Move every order one lifecycle step this often (e.g. 30s, 2m).",
    ),
]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM stops a foreground server the way Ctrl-C does (a clean stop, not a kill)."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def scenario_or_exit(value: str | None) -> Scenario | None:
    """The named scenario (a file, or 'demo'), or exit with code 2 saying what is wrong."""
    from orderbridge.simulators.scenario import ScenarioError, builtin_scenario, load_scenario

    if value is None:
        return None
    try:
        if value == "demo" and not Path(value).exists():
            return builtin_scenario("demo")
        return load_scenario(value)
    except ScenarioError as exc:
        fail([f"scenario error: {exc}"])


def period_or_exit(value: str | None, option: str = "--advance-every") -> float | None:
    """Seconds from a period such as ``30s`` (None or ``0`` for never), or exit with code 2."""
    from orderbridge.simulators._common import parse_period

    if value is None or value.strip() in ("0", "off"):
        return None
    try:
        return parse_period(value)
    except ValueError as exc:
        fail([f"{option}: {exc}"])


@app.command("autotask")
def autotask(
    port: PortOption = 8081, host: HostOption = "127.0.0.1", scenario: ScenarioOption = None
) -> None:
    """Serve the Autotask REST simulator (base path /ATServicesRest/V1.0/, admin under /_sim/)."""
    loaded = scenario_or_exit(scenario)
    from orderbridge.simulators.autotask import build_server

    _, server = build_server(port, host, loaded)
    _serve(server, "Autotask simulator on {url}/ATServicesRest/V1.0/ (Ctrl-C stops)")


# The values of simulators.scenario.TdErrorStyle, spelled out so that --help need not import
# the scenario model (pydantic, YAML); a test keeps the two equal.
ERROR_STYLES = ("errorMessage", "ErrorMessage", "nested_ErrorMessage", "BizError", "bizError")
ErrorStyleOption = Annotated[
    str,
    typer.Option(
        "--error-style",
        metavar="STYLE",
        help="Error elements refused requests get (which form TD SYNNEX uses is unconfirmed): "
        f"{', '.join(ERROR_STYLES)}.",
    ),
]


@app.command("tdsynnex")
def tdsynnex(
    port: PortOption = 8082,
    host: HostOption = "127.0.0.1",
    scenario: ScenarioOption = None,
    advance_every: AdvanceOption = None,
    error_style: ErrorStyleOption = ERROR_STYLES[0],
) -> None:
    """Serve the TD SYNNEX XML simulator (POST /SynnexXML/POStatus, admin under /_sim/)."""
    loaded = scenario_or_exit(scenario)
    period = period_or_exit(advance_every)
    if error_style not in ERROR_STYLES:
        fail([f"--error-style: {error_style!r} is not one of {', '.join(ERROR_STYLES)}"])
    from orderbridge.simulators import tdsynnex as simulator
    from orderbridge.simulators.scenario import TdErrorStyle

    def announce(url: str) -> None:
        typer.echo(f"TD SYNNEX simulator on {url}/SynnexXML/POStatus (Ctrl-C stops)")
        if period is not None:
            typer.echo(f"Every order moves one lifecycle step every {period:g} s.")

    config = simulator.TdSynnexSimConfig(error_style=TdErrorStyle(error_style))
    try:
        with sigterm_as_ctrl_c():
            simulator.serve(
                port=port,
                host=host,
                scenario=loaded,
                config=config,
                advance_every_s=period,
                announce=announce,
            )
    except (OSError, RuntimeError) as exc:
        fail([f"cannot start the simulator: {exc}"])


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
        loaded = scenario_or_exit(scenario)
        from orderbridge.simulators.carriers import serve

        typer.echo(f"{label} tracking simulator on http://{host}:{port} ({path}; Ctrl-C stops)")
        try:
            with sigterm_as_ctrl_c():
                serve(name, port=port, host=host, scenario=loaded)
        except (OSError, RuntimeError) as exc:
            fail([f"cannot start the simulator: {exc}"])

    command.__doc__ = (
        f"Serve the {label} tracking simulator (token and tracking calls, admin under /_sim/)."
    )
    app.command(name)(command)


for _name in _CARRIER_PATHS:
    _carrier_command(_name)


def _serve(server: SimulatorServer, banner: str) -> None:
    """Start, say where (the real port, also for --port 0), serve until Ctrl-C or SIGTERM."""
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        fail([f"cannot start the simulator: {exc}"])
    try:
        typer.echo(banner.format(url=server.url))
        with sigterm_as_ctrl_c():
            server.wait()
    finally:
        server.stop()
