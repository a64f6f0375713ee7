"""``orderbridge sandbox``: both simulators with the demo scenario, and a config pointing at them.

It writes ``sandbox.toml`` (its store, ``sandbox.db``, beside it), prints the commands to try and
keeps the simulators and the dashboard (on that store, with a demo login, as ``demo --serve``)
running until Ctrl-C or SIGTERM, moving every TD SYNNEX order one lifecycle step every
``--advance-every`` so that ``orderbridge run`` keeps finding something to do. The sandbox is the
real product against the simulators: the same commands, over real HTTP on loopback ports.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import console, fail, settings_or_exit
from ._serve import serve_demo
from ._simulate import period_or_exit, sigterm_as_ctrl_c

if TYPE_CHECKING:
    from orderbridge.simulators.autotask import AutotaskSimulator
    from orderbridge.simulators.tdsynnex import TdSynnexSimulator

SANDBOX_CONFIG = "sandbox.toml"
SANDBOX_STORE = "sandbox.db"
TRY_PO = "PO-10005"


def sandbox(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write sandbox.toml and its store.")
    ] = Path(),
    advance_every: Annotated[
        str,
        typer.Option(
            "--advance-every",
            metavar="PERIOD",
            help="Move every TD SYNNEX order one lifecycle step this often (0: never).",
        ),
    ] = "60s",
    autotask_port: Annotated[
        int, typer.Option(help="Autotask simulator port (0: any free one).", min=0, max=65535)
    ] = 0,
    tdsynnex_port: Annotated[
        int, typer.Option(help="TD SYNNEX simulator port (0: any free one).", min=0, max=65535)
    ] = 0,
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="The dashboard's port (0: any free one)."),
    ] = 8080,
) -> None:
    """Start both simulators with the demo scenario, write sandbox.toml and serve the dashboard."""
    period = period_or_exit(advance_every)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail([f"cannot create {directory}: {exc.strerror or exc}"])
    from orderbridge.simulators._common import LifecycleTicker, SimulatorServer
    from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
    from orderbridge.simulators.scenario import builtin_scenario
    from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

    scenario = builtin_scenario("demo")
    at_sim = AutotaskSimulator(AutotaskSimConfig())
    td_sim = TdSynnexSimulator(TdSynnexSimConfig())
    at_sim.load_scenario(scenario)
    td_sim.load_scenario(scenario)
    at_server = SimulatorServer(at_sim.app, port=autotask_port)
    td_server = SimulatorServer(td_sim.app, port=tdsynnex_port)
    try:
        at_server.start()
        td_server.start()
    except (OSError, RuntimeError) as exc:
        at_server.stop()
        fail([f"cannot start the simulators: {exc}"])
    try:
        config_file = _write_config(directory, at_server.url, td_server.url, at_sim, td_sim)
        _announce(config_file, at_server.url, td_server.url, len(scenario.orders), period)
        ticker: AbstractContextManager[object] = (
            nullcontext() if period is None else LifecycleTicker(td_server.url, period)
        )
        with sigterm_as_ctrl_c(), ticker:
            serve_demo(settings_or_exit(config_file, tenant=False), port, "the sandbox")
    finally:
        td_server.stop()
        at_server.stop()
    console.print(
        f"Sandbox stopped; {config_file} points at simulators that are no longer running.",
        highlight=False,
        markup=False,
    )


def _write_config(
    directory: Path,
    at_url: str,
    td_url: str,
    at_sim: AutotaskSimulator,
    td_sim: TdSynnexSimulator,
) -> Path:
    import tomli_w

    from orderbridge.simulators.harness import SimulatorPair

    from ._init_answers import write_private_file

    database = (directory / SANDBOX_STORE).resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    config = SimulatorPair(at_sim, td_sim, at_url, td_url).settings_dict(database)
    config["sync"] = {"frequency": "custom:1m"}  # run finds the orders' moves within a minute
    config_file = (directory / SANDBOX_CONFIG).resolve()
    write_private_file(config_file, tomli_w.dumps(config), force=True)
    return config_file


def _announce(
    config_file: Path, at_url: str, td_url: str, orders: int, period: float | None
) -> None:
    shown = _shortest(config_file)
    lines = [
        f"Autotask simulator on {at_url}, TD SYNNEX simulator on {td_url}",
        f"Scenario 'demo': {orders} TD SYNNEX orders in every state, with their Autotask POs.",
        f"Wrote {shown} (its store: {config_file.with_name(SANDBOX_STORE)}).",
        (
            f"Every TD SYNNEX order moves one lifecycle step every {period:g} s."
            if period is not None
            else "The orders stay where they are (--advance-every 0)."
        ),
        "Try, in another terminal:",
    ]
    for command in (
        "doctor",
        "sync --once --dry-run",
        "sync --once",
        f"status {TRY_PO}",
        "log",
        "run",
    ):
        lines.append(f"  orderbridge {command} --config {shown}")
    lines.append("The dashboard shows the same store (sign in with the demo login below):")
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def _shortest(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
