"""Both simulators on loopback ports with one scenario loaded, and settings that point at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import httpx2
import tomli_w
from defusedxml import ElementTree

from orderbridge.settings import Settings
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.scenario import Scenario, builtin_scenario
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

API = "/ATServicesRest/V1.0"


@dataclass
class SimulatedUpstreams:
    """A running Autotask and TD SYNNEX simulator pair with the same scenario loaded."""

    autotask: AutotaskSimulator
    tdsynnex: TdSynnexSimulator
    autotask_url: str
    tdsynnex_url: str

    def settings(self, database: Path, **autotask: Any) -> Settings:
        """Settings that point at the simulators with their configured credentials."""
        return Settings.model_validate(self.settings_dict(database, **autotask))

    def settings_dict(self, database: Path, **autotask: Any) -> dict[str, Any]:
        """The same settings as plain TOML-able values."""
        at, td = self.autotask.config, self.tdsynnex.config
        values: dict[str, Any] = {
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
        return values

    def write_config(self, path: Path, database: Path, **autotask: Any) -> Path:
        """A TOML config file for the CLI (mode 600, as a file holding secrets should be)."""
        path.write_text(tomli_w.dumps(self.settings_dict(database, **autotask)), encoding="utf-8")
        path.chmod(0o600)
        return path

    def po(self, po_number: str) -> dict[str, Any]:
        """The Autotask simulator's record of the PO with this purchaseOrderNumber."""
        found = [
            p for p in self.autotask.purchase_orders() if p["purchaseOrderNumber"] == po_number
        ]
        assert len(found) == 1, f"expected one Autotask PO {po_number}, found {len(found)}"
        return found[0]

    def items(self, po_number: str) -> list[dict[str, Any]]:
        """The Autotask items of that PO, in id order."""
        return sorted(self.autotask.items_of(self.po(po_number)["id"]), key=lambda i: i["id"])

    def autotask_requests(self, endpoint: str, method: str) -> int:
        """How many requests the Autotask simulator counted for ``endpoint`` and ``method``."""
        counts: dict[str, dict[str, int]] = self.autotask.state.counters()["requests"]
        return counts.get(endpoint, {}).get(method, 0)

    def tdsynnex_requests(self, endpoint: str) -> int:
        """How many POSTs the TD SYNNEX simulator counted for ``endpoint``."""
        counts: dict[str, dict[str, int]] = self.tdsynnex.state.counters()["requests"]
        return counts.get(endpoint, {}).get("POST", 0)

    def patches(self) -> int:
        """PATCH requests on purchase orders and their items."""
        return self.autotask_requests("PurchaseOrders", "PATCH") + self.autotask_requests(
            "PurchaseOrderItems", "PATCH"
        )

    def reset_counters(self) -> None:
        """Zero both simulators' counters and request logs."""
        self.autotask.state.reset_observations()
        self.tdsynnex.state.reset_observations()

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

    def served_status(self, po_number: str) -> Element:
        """What the TD SYNNEX simulator serves for a PO (parsed XML), asked independently."""
        return self._post("/SynnexXML/POStatus", "OrderStatusRequest", po_number)

    def served_invoices(self, po_number: str) -> Element:
        """The TD SYNNEX simulator's invoice answer for a PO (parsed XML)."""
        return self._post("/webservice/invoice/query", "InvoiceRequest", po_number)

    def _post(self, path: str, request: str, po_number: str) -> Element:
        td = self.tdsynnex.config
        body = (
            f"<SynnexB2B><Credential><UserID>{td.user_id}</UserID>"
            f"<Password>{td.password}</Password></Credential><{request}>"
            f"<CustomerNumber>{td.customer_number}</CustomerNumber>"
            f"<PONumber>{po_number}</PONumber></{request}></SynnexB2B>"
        )
        response = httpx2.post(
            f"{self.tdsynnex_url}{path}",
            content=body.encode(),
            headers={"Content-Type": "application/xml"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        root: Element = ElementTree.fromstring(response.content)
        return root


def texts(root: Element, tag: str) -> list[str]:
    """The non-empty texts of every element named ``tag``, in document order."""
    return [e.text.strip() for e in root.iter(tag) if e.text and e.text.strip()]


def pinned_now() -> datetime:
    """Now, to the second: both simulators' clocks are pinned to it so dates repeat."""
    return datetime.now(UTC).replace(microsecond=0)


@contextmanager
def simulated_upstreams(
    scenario: Scenario | None = None,
    *,
    autotask_config: AutotaskSimConfig | None = None,
    tdsynnex_config: TdSynnexSimConfig | None = None,
    now: datetime | None = None,
) -> Iterator[SimulatedUpstreams]:
    """Start both simulators with ``scenario`` (the demo by default) loaded into each."""
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
        yield SimulatedUpstreams(autotask, tdsynnex, at_server.url, td_server.url)
