"""Both simulators on loopback ports with one scenario loaded, and the settings that reach them.

The demo, the integration tests and the benchmarks start the pair the same way: each simulator
on its own ephemeral port (``SimulatorServer``), the same scenario in both, both clocks pinned to
one moment so that generated dates repeat. ``settings_dict`` is what orderbridge's
configuration needs to talk to them, as plain TOML-able values (the simulators do not import
orderbridge's settings model).

Example::

    with running_simulators(builtin_scenario("demo")) as sims:
        settings = Settings.model_validate(sims.settings_dict(Path("demo.db")))
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from ._common import SimulatorServer
from .autotask import AutotaskSimConfig, AutotaskSimulator
from .scenario import Scenario, builtin_scenario
from .tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

__all__ = ["API", "SimulatorPair", "pinned_now", "running_simulators"]

API = "/ATServicesRest/V1.0"


@dataclass
class SimulatorPair:
    """A running Autotask and TD SYNNEX simulator with the same scenario loaded."""

    autotask: AutotaskSimulator
    tdsynnex: TdSynnexSimulator
    autotask_url: str
    tdsynnex_url: str

    def settings_dict(self, database: Path, **autotask: Any) -> dict[str, Any]:
        """orderbridge settings that point at both simulators with their configured credentials.

        ``autotask`` adds or overrides keys of the ``[autotask]`` table.
        """
        at, td = self.autotask.config, self.tdsynnex.config
        return {
            "autotask": {
                "zone_lookup_url": f"{self.autotask_url}{API}/zoneInformation",
                "username": at.username,
                "secret": at.secret,
                "integration_code": at.integration_code,
                **autotask,
            },
            "tdsynnex": {
                "status_url": f"{self.tdsynnex_url}/SynnexXML/POStatus",
                "invoice_url": f"{self.tdsynnex_url}/webservice/invoice/query",
                "customer_number": td.customer_number,
                "user_id": td.user_id,
                "password": td.password,
            },
            "store": {"url": f"sqlite:///{database}"},
        }

    def write_config(self, path: Path, database: Path, **autotask: Any) -> Path:
        """``settings_dict`` as a TOML config file (mode 600, as a file holding secrets is)."""
        values = self.settings_dict(database, **autotask)
        path.write_text(tomli_w.dumps(values), encoding="utf-8")
        path.chmod(0o600)
        return path

    def snapshot(self) -> dict[str, Any]:
        """The fields orderbridge writes, for every Autotask PO and item (for comparing runs)."""
        result: dict[str, Any] = {}
        for po in self.autotask.purchase_orders():
            key = po["purchaseOrderNumber"] or f"id {po['id']}"
            result[key] = {
                "generalMemo": po["generalMemo"],
                "shippingDate": po["shippingDate"],
                "vendorInvoiceNumber": po["vendorInvoiceNumber"],
                "additionalVendorInvoiceNumbers": po["additionalVendorInvoiceNumbers"],
                "items": [
                    (i["id"], i["estimatedArrivalDate"], i["memo"])
                    for i in sorted(self.autotask.items_of(po["id"]), key=lambda i: i["id"])
                ],
            }
        return result


def pinned_now() -> datetime:
    """Now, to the second: the moment both simulators' clocks are pinned to by default."""
    return datetime.now(UTC).replace(microsecond=0)


@contextmanager
def running_simulators(
    scenario: Scenario | None = None,
    *,
    autotask_config: AutotaskSimConfig | None = None,
    tdsynnex_config: TdSynnexSimConfig | None = None,
    now: datetime | None = None,
) -> Iterator[SimulatorPair]:
    """Start both simulators with ``scenario`` (the demo's by default) loaded into each."""
    loaded = scenario or builtin_scenario("demo")
    autotask = AutotaskSimulator(autotask_config or AutotaskSimConfig())
    tdsynnex = TdSynnexSimulator(tdsynnex_config or TdSynnexSimConfig())
    when = now or pinned_now()
    autotask.state.clock.set(when)
    tdsynnex.state.clock.set(when)
    autotask.load_scenario(loaded)
    tdsynnex.load_scenario(loaded)
    with ExitStack() as stack:
        at_server = stack.enter_context(SimulatorServer(autotask.app))
        td_server = stack.enter_context(SimulatorServer(tdsynnex.app))
        yield SimulatorPair(autotask, tdsynnex, at_server.url, td_server.url)
