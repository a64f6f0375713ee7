"""``orderbridge demo``: both simulators in-process, the shipped scenario, live sync cycles.

The demo is the real product against the simulators: the same bootstrap, clients, store and sync
loop as a production run, over real HTTP on loopback ports. Besides Autotask and TD SYNNEX, the
UPS and FedEx tracking simulators run too, so one order shows a delivery confirmed by the
carrier (signed for, with the time), which TD SYNNEX never reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import console

if TYPE_CHECKING:
    from orderbridge.application.sync import OrderResult
    from orderbridge.bootstrap import SyncServices
    from orderbridge.settings import Settings
    from orderbridge.simulators.scenario import Scenario
    from orderbridge.simulators.tdsynnex import TdSynnexSimulator

DEMO_CONFIG = "orderbridge-demo.toml"


def demo(
    directory: Annotated[
        Path,
        typer.Option("--dir", help="Where to write the demo's database and config file."),
    ] = Path(),
    rounds: Annotated[
        int, typer.Option("--rounds", min=1, max=20, help="Lifecycle steps to simulate.")
    ] = 5,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Keep the dashboard open after the cycles (Ctrl-C stops)."),
    ] = False,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="The dashboard's port with --serve.")
    ] = 8080,
) -> None:
    """Run orderbridge against the built-in TD SYNNEX and Autotask simulators."""
    import anyio

    from orderbridge.settings import Settings
    from orderbridge.simulators.harness import running_simulators
    from orderbridge.simulators.scenario import builtin_scenario

    directory.mkdir(parents=True, exist_ok=True)
    database = (directory / "orderbridge-demo.db").resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    scenario = builtin_scenario("demo")
    console.rule("orderbridge demo")
    console.print(
        f"Scenario {scenario.name!r}: {len(scenario.orders)} TD SYNNEX orders in every state, "
        "with their Autotask purchase orders."
    )
    with running_simulators(scenario) as sims, _carriers(scenario) as carriers:
        console.print(
            f"Autotask simulator on {sims.autotask_url}, TD SYNNEX simulator on {sims.tdsynnex_url}"
        )
        # Every order every round: the demo squeezes a lifecycle into a few rounds.
        values = {**sims.settings_dict(database), "carriers": carriers, "sync": {"adaptive": False}}
        settings = Settings.model_validate(values)
        anyio.run(_cycles, settings, sims.tdsynnex, rounds)
        if serve:
            from ._serve import serve_demo

            console.rule("dashboard")
            serve_demo(settings, port)  # simulators stay up, so "Resync now" works
    config_file = (directory / DEMO_CONFIG).resolve()
    config_file.write_text(f'[store]\nurl = "sqlite:///{database}"\n', encoding="utf-8")
    console.rule("what next")
    console.print(f"The demo's state, history and activity log are in {database}")
    console.print("Try:")
    console.print(f"  uv run orderbridge log --config {config_file}", highlight=False)
    console.print(f"  uv run orderbridge status PO-10005 --config {config_file}", highlight=False)
    console.print("  uv run orderbridge simulate tdsynnex --scenario demo   (docs/simulators.md)")
    console.print("Open the dashboard:")
    console.print("  uv run orderbridge demo --serve   (prints the address and a demo login)")
    console.print(
        f"  or: uv run orderbridge users add admin --role admin --config {config_file}"
        f" && uv run orderbridge serve --config {config_file}   (docs/dashboard.md)",
        highlight=False,
    )


@contextmanager
def _carriers(scenario: Scenario) -> Iterator[dict[str, Any]]:
    """The UPS and FedEx tracking simulators with the scenario; yields their [carriers] keys."""
    from orderbridge.simulators._common import SimulatorServer
    from orderbridge.simulators.carriers import CarrierSimulator

    with ExitStack() as stack:
        keys: dict[str, Any] = {}
        for name in ("ups", "fedex"):
            sim = CarrierSimulator(name)
            sim.load_scenario(scenario)
            url = stack.enter_context(SimulatorServer(sim.app)).url
            console.print(f"{name.upper() if name == 'ups' else 'FedEx'} simulator on {url}")
            keys[name] = {
                "base_url": url,
                "client_id": sim.config.client_id,
                "client_secret": sim.config.client_secret,
            }
        yield keys


async def _cycles(settings: Settings, tdsynnex: TdSynnexSimulator, rounds: int) -> None:
    from orderbridge.bootstrap import sync_services

    async with sync_services(settings) as services:
        await _cycle(services, "First sync: every monitored PO gets its TD SYNNEX status")
        for step in range(1, rounds + 1):
            moved = tdsynnex.advance_all()
            await _cycle(services, f"Round {step}: {moved} orders moved on at TD SYNNEX")
        await _cycle(services, "Nothing new at TD SYNNEX: a steady-state cycle writes nothing")


async def _cycle(services: SyncServices, title: str) -> None:
    from ._render import run_summary

    console.rule(title, style="cyan")
    report, _ = await services.sync.run_once(on_order=_show_change)
    console.print(run_summary(report))


def _show_change(result: OrderResult) -> None:
    from rich.markup import escape

    from orderbridge.domain.history import OrderOutcome

    from ._common import without_po
    from ._render import po_label

    report = result.report
    if report.outcome is OrderOutcome.UNCHANGED:
        return
    name = escape(po_label(report.po_number, report.po_id))
    if report.outcome is OrderOutcome.FAILED or report.outcome is OrderOutcome.SKIPPED:
        colour = "red" if report.outcome is OrderOutcome.FAILED else "yellow"
        error = escape(without_po(report.po_number, report.error or ""))
        console.print(f"  [{colour}]{name}: {error}[/]", highlight=False)
        return
    summaries = [entry.summary for entry in result.plan.history] if result.plan else []
    text = escape("; ".join(summaries) or ", ".join(report.changes))
    console.print(f"  [green]{name}[/] {report.status}: {text}", highlight=False)
