"""``[mapping] write_freight``: off by default; on, the invoices' freight lands in the PO."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import anyio

from orderbridge.bootstrap import sync_services
from orderbridge.settings import Settings
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, texts


def _cycles(settings: Settings, upstreams: SimulatedUpstreams) -> None:
    async def run() -> None:
        async with sync_services(settings) as services:
            for _ in range(4):
                await services.sync.run_once()
                upstreams.tdsynnex.advance_all()
            await services.sync.run_once()

    anyio.run(run)


def _invoiced_freight(upstreams: SimulatedUpstreams) -> dict[str, Decimal]:
    """PO number -> the freight TD SYNNEX's invoices report, for invoiced POs."""
    found: dict[str, Decimal] = {}
    for po in upstreams.autotask.purchase_orders():
        number = po.get("purchaseOrderNumber")
        if not number:
            continue
        amounts = texts(upstreams.served_invoices(str(number)), "Freight")
        if amounts:
            found[str(number)] = sum((Decimal(a) for a in amounts), Decimal(0))
    return found


def test_freight_is_written_only_when_switched_on(
    upstreams: SimulatedUpstreams, tmp_path: Path
) -> None:
    values = upstreams.settings_dict(tmp_path / "off.db")
    _cycles(Settings.model_validate(values), upstreams)
    invoiced = _invoiced_freight(upstreams)
    assert invoiced, "the scenario should invoice some orders"
    assert all(upstreams.po(n).get("freight") in (None, 0) for n in invoiced)
    values = upstreams.settings_dict(tmp_path / "on.db")
    values["mapping"] = {"write_freight": True}
    _cycles(Settings.model_validate(values), upstreams)
    for number, freight in _invoiced_freight(upstreams).items():
        assert Decimal(str(upstreams.po(number)["freight"])) == freight, number
    assert any(amount > 0 for amount in _invoiced_freight(upstreams).values())
