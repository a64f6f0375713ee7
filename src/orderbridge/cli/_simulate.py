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

app = typer.Typer(help="Run a local simulator of Autotask or TD SYNNEX.", no_args_is_help=True)

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


@app.command("tdsynnex")
def tdsynnex(
    port: PortOption = 8082,
    host: HostOption = "127.0.0.1",
    scenario: ScenarioOption = None,
    advance_every: AdvanceOption = None,
) -> None:
    """Serve the TD SYNNEX XML simulator (POST /SynnexXML/POStatus, admin under /_sim/)."""
    loaded = scenario_or_exit(scenario)
    period = period_or_exit(advance_every)
    from orderbridge.simulators._common import SimulatorServer
    from orderbridge.simulators.tdsynnex import TdSynnexSimulator

    sim = TdSynnexSimulator()
    if loaded is not None:
        sim.load_scenario(loaded)
    server = SimulatorServer(sim.app, host=host, port=port)
    banner = "TD SYNNEX simulator on {url}/SynnexXML/POStatus (Ctrl-C stops)"
    _serve(server, banner, advance_every_s=period)


def _serve(server: SimulatorServer, banner: str, *, advance_every_s: float | None = None) -> None:
    """Start, say where (the real port, also for --port 0), serve until Ctrl-C."""
    from orderbridge.simulators._common import LifecycleTicker

    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        fail([f"cannot start the simulator: {exc}"])
    try:
        typer.echo(banner.format(url=server.url))
        if advance_every_s is None:
            with sigterm_as_ctrl_c():
                server.wait()
            return
        typer.echo(f"Every order moves one lifecycle step every {advance_every_s:g} s.")
        with LifecycleTicker(server.url, advance_every_s), sigterm_as_ctrl_c():
            server.wait()
    finally:
        server.stop()
