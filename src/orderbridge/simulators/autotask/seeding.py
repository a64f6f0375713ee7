"""Loading the shared scenario format into the simulated Autotask database.

Records are inserted directly (no per-field validation) so that a benchmark can seed 100,000
purchase orders quickly; shared values (addresses, timestamps) are shared objects, not copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from orderbridge.simulators.scenario import Scenario, ScenarioError, ScenarioOrder

from .database import AutotaskDatabase
from .store import Record

__all__ = ["ScenarioLoader", "SeedSummary"]

_SHIP_TO: dict[str, Any] = {
    "shipToName": "Receiving Dock",
    "shipToAddress1": "100 Main Street",
    "shipToCity": "Springfield",
    "shipToState": "IL",
    "shipToPostalCode": "62701",
}
_OWNER_RESOURCE_ID = 29682885


@dataclass
class SeedSummary:
    """What a scenario load created."""

    vendor_id: int = 0
    companies: int = 0
    products: int = 0
    purchase_orders: dict[str, int] = field(default_factory=dict)  # PO number -> id
    items: int = 0

    def to_json(self) -> dict[str, Any]:
        """The summary as admin-API JSON."""
        return {
            "vendor_id": self.vendor_id,
            "companies": self.companies,
            "products": self.products,
            "purchase_orders": self.purchase_orders,
            "items": self.items,
        }


class ScenarioLoader:
    """Creates companies, products, purchase orders and items from a scenario."""

    def __init__(self, db: AutotaskDatabase) -> None:
        self.db = db
        self.summary = SeedSummary()
        self._companies = {
            str(r.get("companyName", "")).lower(): int(r["id"]) for r in db.table("Companies")
        }
        self._products = {
            str(r.get("manufacturerProductName", "")).lower(): int(r["id"])
            for r in db.table("Products")
        }
        self._now = db.now()
        self._submitted: dict[int, datetime] = {}

    def company(self, name: str) -> int:
        """The id of the vendor company called ``name``, created when missing."""
        key = name.lower()
        found = self._companies.get(key)
        if found is not None:
            return found
        record = Record(
            companyName=name,
            companyType=self.db.config.company_types["Vendor"],
            phone="555-0100",
            ownerResourceID=_OWNER_RESOURCE_ID,
            isActive=True,
            createDate=self._now,
            lastActivityDate=self._now,
        )
        company_id = self.db.table("Companies").insert(record)
        self._companies[key] = company_id
        self.summary.companies += 1
        return company_id

    def load(self, scenario: Scenario) -> SeedSummary:
        """Load every Autotask-side order of ``scenario``."""
        with self.db.lock:
            self.summary.vendor_id = self.company(scenario.vendor_name)
            for other in scenario.other_vendors:
                self.company(other)
            for order in scenario.orders:
                if order.autotask.create:
                    self.order(order, scenario.vendor_name)
        return self.summary

    def _status(self, label: str) -> int:
        values = self.db.config.status_values
        if label in values:
            return values[label]
        for known, number in values.items():
            if known.lower() == label.lower():
                return number
        raise ScenarioError(f"status {label!r} is not one of {sorted(values)}")

    def _product(self, line: Any, vendor_id: int) -> int:
        key = line.mfg_pn.lower()
        found = self._products.get(key)
        if found is not None:
            return found
        product_id = self.db.table("Products").insert(
            Record(
                name=line.description,
                manufacturerProductName=line.mfg_pn,
                vendorProductNumber=line.sku,
                sku=line.sku,
                defaultVendorID=vendor_id,
                unitCost=float(line.unit_price),
                isActive=True,
                isSerialized=line.serialized,
            )
        )
        self._products[key] = product_id
        self.summary.products += 1
        return product_id

    def order(self, order: ScenarioOrder, default_vendor: str) -> int:
        """Create one PO with its items; returns the PO id."""
        at = order.autotask
        with self.db.lock:
            vendor_id = self.company(at.vendor or default_vendor)
            status = self._status(at.status)
            po = Record(vendorID=vendor_id, status=status, **_SHIP_TO)
            if not at.omit_po_number:
                po["purchaseOrderNumber"] = at.purchase_order_number or order.po_number
            if at.external_po_number:
                po["externalPONumber"] = at.external_po_number
            if at.general_memo:
                po["generalMemo"] = at.general_memo
            po["createDateTime"] = self._now
            po["creatorResourceID"] = _OWNER_RESOURCE_ID
            if status != self.db.config.status("New"):
                po["submitDateTime"] = self._submit_time(at.submitted_days_ago)
            if status == self.db.config.status("Canceled"):
                po["cancelDateTime"] = self._now
            po_id = self.db.table("PurchaseOrders").insert(po)
            item_ids = [self._item(po_id, line, vendor_id) for line in order.lines]
            self._receive_for_status(status, item_ids)
            self.summary.purchase_orders[order.po_number] = po_id
            return po_id

    def _submit_time(self, days_ago: int) -> datetime:
        when = self._submitted.get(days_ago)
        if when is None:
            when = self._submitted[days_ago] = self._now - timedelta(days=days_ago)
        return when

    def _item(self, po_id: int, line: Any, vendor_id: int) -> int:
        self.summary.items += 1
        return self.db.table("PurchaseOrderItems").insert(
            Record(
                orderID=po_id,
                productID=self._product(line, vendor_id),
                inventoryLocationID=1,
                quantity=line.quantity,
                unitCost=float(line.unit_price),
            )
        )

    def _receive_for_status(self, status: int, item_ids: list[int]) -> None:
        """Received Full: everything received; Received Partial: half of the first line."""
        config = self.db.config
        if status not in (config.status("Received Full"), config.status("Received Partial")):
            return
        items = self.db.table("PurchaseOrderItems")
        full = status == config.status("Received Full")
        for index, item_id in enumerate(item_ids):
            quantity = items.records[item_id]["quantity"]
            amount = quantity if full else _partial_amount(index, quantity, len(item_ids))
            if amount:
                self._receipt(item_id, quantity, amount)

    def _receipt(self, item_id: int, quantity: int, amount: int) -> None:
        self.db.table("PurchaseOrderItemReceiving").insert(
            Record(
                purchaseOrderItemID=item_id,
                quantityNowReceiving=amount,
                quantityPreviouslyReceived=0,
                quantityBackOrdered=quantity - amount,
                receiveDate=self._now,
            )
        )
        self.db.store.received[item_id] = amount


def _partial_amount(index: int, quantity: int, lines: int) -> int:
    """Part of the first line only, so the PO stays short of Received Full."""
    if index != 0:
        return 0
    if quantity > 1:
        return quantity // 2
    return quantity if lines > 1 else 0
