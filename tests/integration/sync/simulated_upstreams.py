"""The harness's simulator pair, with what the tests read from it besides orderbridge's own view.

Settings as orderbridge's model, the Autotask records of one PO, request counters, and what the
TD SYNNEX simulator serves for a PO, parsed independently of the adapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import httpx2
from defusedxml import ElementTree

from orderbridge.settings import Settings
from orderbridge.simulators.harness import SimulatorPair, pinned_now, running_simulators
from orderbridge.simulators.scenario import Scenario

__all__ = ["SimulatedUpstreams", "pinned_now", "simulated_upstreams", "texts"]


class SimulatedUpstreams(SimulatorPair):
    """A running Autotask and TD SYNNEX simulator pair, as the tests inspect it."""

    def settings_dict(self, database: Path, **autotask: Any) -> dict[str, Any]:
        """As the simulators' settings, with every order checked every cycle.

        These tests follow what each cycle writes; per-order check schedules (``[sync] adaptive``,
        on by default) have their own tests, which set ``adaptive = true``.
        """
        return {**super().settings_dict(database, **autotask), "sync": {"adaptive": False}}

    def settings(self, database: Path, **autotask: Any) -> Settings:
        """Settings that point at the simulators with their configured credentials."""
        return Settings.model_validate(self.settings_dict(database, **autotask))

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


@contextmanager
def simulated_upstreams(
    scenario: Scenario | None = None, **options: Any
) -> Iterator[SimulatedUpstreams]:
    """``running_simulators`` (same arguments), inspected as the tests do."""
    with running_simulators(scenario, **options) as pair:
        yield SimulatedUpstreams(pair.autotask, pair.tdsynnex, pair.autotask_url, pair.tdsynnex_url)
