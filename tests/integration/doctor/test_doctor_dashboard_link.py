"""Doctor's hint for the dashboard's link to the PO in Autotask (``[web] autotask_po_url``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from orderbridge.application.doctor import DASHBOARD_CHECK_NAME
from tests.integration.doctor.doctor_configs import block, outcomes, write_config
from tests.integration.sync.simulated_upstreams import simulated_upstreams

PO_URL = "https://ww5.autotask.net/Mvc/Inventory/PurchaseOrder.mvc/Edit?purchaseOrderId={po_id}"


@pytest.mark.parametrize(
    ("web", "expected"),
    [
        ({"enabled": True}, "WARN"),
        ({"enabled": True, "autotask_po_url": PO_URL}, "PASS"),
        ({"enabled": False}, None),
    ],
    ids=["enabled-without-template", "enabled-with-template", "dashboard-off"],
)
def test_doctor_hints_at_the_po_link_only_when_the_dashboard_is_on(
    cli: typer.Typer,
    runner: CliRunner,
    database: Path,
    tmp_path: Path,
    web: dict[str, object],
    expected: str | None,
) -> None:
    with simulated_upstreams() as upstreams:
        path = write_config(upstreams, tmp_path / "web.toml", database, web=web)
        result = runner.invoke(cli, ["doctor", "--config", str(path)])
    assert outcomes(result.stdout).get(DASHBOARD_CHECK_NAME) == expected, result.stdout
    if expected == "WARN":
        hint = block(result.stdout, DASHBOARD_CHECK_NAME)
        assert "[web] autotask_po_url is empty" in hint
        assert "fix: Open a purchase order in Autotask" in hint
        assert "{po_id}" in hint
    elif expected == "PASS":
        assert PO_URL in block(result.stdout, DASHBOARD_CHECK_NAME)
