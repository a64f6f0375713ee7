"""``orderbridge doctor`` on a healthy setup: every check passes, with few upstream requests."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from orderbridge.cli import app as orderbridge_app
from orderbridge.simulators.scenario import parse_scenario
from tests.integration.doctor.doctor_configs import outcomes, write_config
from tests.integration.sync.simulated_upstreams import simulated_upstreams

HEALTHY = """
name: healthy
orders:
  - po_number: PO-20001
    state: accepted
    lines: [{sku: "100001", mfg_pn: "LAP-14", description: "Laptop 14", quantity: 2,
             unit_price: "899.00"}]
  - po_number: PO-20002
    state: shipped
    lines: [{sku: "100002", mfg_pn: "DOCK-1", description: "Dock", quantity: 1,
             unit_price: "199.00"}]
  - po_number: PO-20003
    state: invoiced
    lines: [{sku: "100003", mfg_pn: "MON-27", description: "Monitor 27", quantity: 3,
             unit_price: "249.00"}]
"""

EVERY_CHECK = {
    "configuration",
    "store",
    "Autotask zone",
    "Autotask credentials",
    "Autotask permissions",
    "Autotask request budget",
    "TD SYNNEX credentials",
    "TD SYNNEX invoices",
    "TD SYNNEX vendor company",
    "monitored purchase orders",
    "POs without a PO number",
    "POs TD SYNNEX does not know",
    "TD SYNNEX order number mismatches",
    "shipped without tracking",
    "fields Autotask does not keep",
    "last sync run",
}


def test_a_healthy_setup_passes_every_check(
    cli: typer.Typer, runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    with simulated_upstreams(parse_scenario(HEALTHY)) as upstreams:
        config = write_config(upstreams, tmp_path / "orderbridge.toml", database)
        synced = runner.invoke(orderbridge_app, ["sync", "--once", "--config", str(config)])
        assert synced.exit_code == 0, synced.output
        upstreams.reset_counters()

        result = runner.invoke(cli, ["doctor", "--config", str(config)])

        autotask_requests = sum(
            sum(methods.values())
            for methods in upstreams.autotask.state.counters()["requests"].values()
        )
        tdsynnex_requests = upstreams.tdsynnex_requests("POStatus")
        invoice_requests = upstreams.tdsynnex_requests("InvoiceQuery")
        patches = upstreams.patches()
    assert result.exit_code == 0, result.output
    found = outcomes(result.stdout)
    assert set(found) == EVERY_CHECK
    assert set(found.values()) == {"PASS"}, result.stdout
    assert "fix:" not in result.stdout
    assert "16 passed, 0 warnings, 0 failed" in result.stdout
    assert "3 purchase orders in scope" in result.stdout
    assert tdsynnex_requests == 1
    assert invoice_requests == 1
    assert autotask_requests <= 12
    assert patches == 0
