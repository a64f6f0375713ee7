"""Business rules Autotask applies on writes: PO status gates, receiving, roll-ups, stamps, numbers.

Rules the reference marks UNCONFIRMED (submitDateTime stamping, status roll-up after receipts,
refusing receipts on a Received Full PO) follow the documented guesses and are switchable in
the configuration where a client could come to depend on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ApiError
from .store import Record

if TYPE_CHECKING:
    from .database import AutotaskDatabase

__all__ = ["EntityRules", "rules_for"]

_SYSTEM_RESOURCE_ID = 29682885  # the "API user" resource the simulator attributes writes to


class EntityRules:
    """Hooks around creating and updating one entity's records; the base does nothing."""

    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        """Check and complete a record about to be stored."""

    def after_create(self, db: AutotaskDatabase, record: Record) -> None:
        """React to a stored record (it now has its id)."""

    def before_update(self, db: AutotaskDatabase, old: Record, new: Record) -> None:
        """Check and complete the new version of a record."""

    def after_update(self, db: AutotaskDatabase, old: Record, new: Record) -> None:
        """React to an updated record."""


class _Stamped(EntityRules):
    """Records that carry a creation time (and optionally a last-activity time)."""

    def __init__(self, created: str, activity: str | None = None) -> None:
        self.created = created
        self.activity = activity

    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        record[self.created] = db.now()
        if self.activity:
            record[self.activity] = record[self.created]

    def before_update(self, db: AutotaskDatabase, old: Record, new: Record) -> None:
        if self.activity:
            new[self.activity] = db.now()


def _status_label(db: AutotaskDatabase, value: object) -> str:
    for label, number in db.config.status_values.items():
        if number == value:
            return label
    return str(value)


def _po_of_item(db: AutotaskDatabase, item: Record) -> Record:
    po = db.table("PurchaseOrders").get(item["orderID"])
    if po is None:
        raise ApiError("Value does not reference an existing entity for orderID.")
    return po


def refresh_latest_arrival(db: AutotaskDatabase, order_id: int) -> None:
    """Keep PurchaseOrders.latestEstimatedArrivalDate = max of its items' estimatedArrivalDate."""
    po = db.table("PurchaseOrders").get(order_id)
    if po is None:
        return
    dates = [
        item["estimatedArrivalDate"]
        for item in db.table("PurchaseOrderItems").children_of(order_id)
        if item.get("estimatedArrivalDate") is not None
    ]
    if dates:
        po["latestEstimatedArrivalDate"] = max(dates)
    else:
        po.pop("latestEstimatedArrivalDate", None)


class _PurchaseOrders(EntityRules):
    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        record["createDateTime"] = db.now()
        record["creatorResourceID"] = _SYSTEM_RESOURCE_ID
        self._stamp_status(db, None, record)

    def before_update(self, db: AutotaskDatabase, old: Record, new: Record) -> None:
        self._stamp_status(db, old.get("status"), new)

    @staticmethod
    def _stamp_status(db: AutotaskDatabase, before: object, record: Record) -> None:
        status = record.get("status")
        if status == before:
            return
        if status == db.config.status("Submitted"):
            record["submitDateTime"] = db.now()
        elif status == db.config.status("Canceled"):
            record["cancelDateTime"] = db.now()


class _PurchaseOrderItems(EntityRules):
    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        po = _po_of_item(db, record)
        if po.get("status") != db.config.status("New"):
            raise ApiError(
                "Purchase order items can only be added to a purchase order whose status is "
                f"New; this purchase order is {_status_label(db, po.get('status'))}."
            )
        _positive_quantity(record)

    def after_create(self, db: AutotaskDatabase, record: Record) -> None:
        refresh_latest_arrival(db, record["orderID"])

    def before_update(self, db: AutotaskDatabase, old: Record, new: Record) -> None:
        po = _po_of_item(db, old)
        allowed = {db.config.status(s) for s in ("New", "Submitted", "Received Partial")}
        if po.get("status") not in allowed:
            raise ApiError(
                "Purchase order items can only be updated while the purchase order status is "
                "New, Submitted or Received Partial; this purchase order is "
                f"{_status_label(db, po.get('status'))}."
            )
        _positive_quantity(new)
        received = db.store.received.get(old["id"], 0)
        if new["quantity"] < received:
            raise ApiError(
                f"The quantity ({new['quantity']}) cannot be less than the quantity already "
                f"received ({received})."
            )

    def after_update(self, db: AutotaskDatabase, old: Record, new: Record) -> None:
        refresh_latest_arrival(db, new["orderID"])


def _positive_quantity(record: Record) -> None:
    if record.get("quantity", 0) < 1:
        raise ApiError("The quantity must be greater than zero.")


class _Receiving(EntityRules):
    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        item = db.table("PurchaseOrderItems").get(record["purchaseOrderItemID"])
        if item is None:
            raise ApiError("Value does not reference an existing entity for purchaseOrderItemID.")
        po = _po_of_item(db, item)
        allowed = {db.config.status("Submitted"), db.config.status("Received Partial")}
        if db.config.receive_on_received_full:
            allowed.add(db.config.status("Received Full"))
        if po.get("status") not in allowed:
            raise ApiError(
                "Items can only be received on a purchase order whose status is Submitted or "
                f"Received Partial; this purchase order is {_status_label(db, po.get('status'))}."
            )
        now_receiving = record["quantityNowReceiving"]
        if now_receiving < 1:
            raise ApiError("The quantityNowReceiving must be greater than zero.")
        previously = db.store.received.get(item["id"], 0)
        remaining = item["quantity"] - previously
        if now_receiving > remaining:
            raise ApiError(
                f"The quantity being received ({now_receiving}) exceeds the quantity remaining "
                f"to be received ({remaining})."
            )
        record["quantityPreviouslyReceived"] = previously
        record["quantityBackOrdered"] = remaining - now_receiving
        record.setdefault("receiveDate", db.now())

    def after_create(self, db: AutotaskDatabase, record: Record) -> None:
        item_id = record["purchaseOrderItemID"]
        received = db.store.received
        received[item_id] = received.get(item_id, 0) + record["quantityNowReceiving"]
        if db.config.roll_up_status_on_receipt:
            item = db.table("PurchaseOrderItems").records[item_id]
            roll_up_status(db, item["orderID"])


def roll_up_status(db: AutotaskDatabase, order_id: int) -> None:
    """Received Full once every item is received in full, else Received Partial."""
    po = db.table("PurchaseOrders").records[order_id]
    items = db.table("PurchaseOrderItems").children_of(order_id)
    complete = all(db.store.received.get(item["id"], 0) >= item["quantity"] for item in items)
    po["status"] = db.config.status("Received Full" if complete else "Received Partial")


class _Numbered(_Stamped):
    """Stamped records that get a number from their creation day and id (``T20261202.0007``)."""

    def __init__(self, created: str, activity: str, number_field: str, prefix: str) -> None:
        super().__init__(created, activity)
        self.number_field = number_field
        self.prefix = prefix

    def after_create(self, db: AutotaskDatabase, record: Record) -> None:
        day = f"{record[self.created]:%Y%m%d}"
        record[self.number_field] = f"{self.prefix}{day}.{record['id']:04d}"


class _Notes(_Stamped):
    """Notes, written by the API user through their parent, whose last activity they move."""

    def __init__(self, parent_path: str, parent_field: str, parent_activity: str) -> None:
        super().__init__("createDateTime", "lastActivityDate")
        self.parent = (parent_path, parent_field, parent_activity)

    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        super().before_create(db, record)
        record["creatorResourceID"] = _SYSTEM_RESOURCE_ID

    def after_create(self, db: AutotaskDatabase, record: Record) -> None:
        path, field, activity = self.parent
        parent = db.table(path).get(record[field])
        if parent is not None:
            parent[activity] = record["createDateTime"]


_RULES: dict[str, EntityRules] = {
    "PurchaseOrders": _PurchaseOrders(),
    "PurchaseOrderItems": _PurchaseOrderItems(),
    "PurchaseOrderItemReceiving": _Receiving(),
    "Companies": _Stamped("createDate", "lastActivityDate"),
    "Contacts": _Stamped("createDate", "lastActivityDate"),
    "Tickets": _Numbered("createDate", "lastActivityDate", "ticketNumber", "T"),
    "TicketNotes": _Notes("Tickets", "ticketID", "lastActivityDate"),
    "Projects": _Numbered("createDateTime", "lastActivityDateTime", "projectNumber", "P"),
    "ProjectNotes": _Notes("Projects", "projectID", "lastActivityDateTime"),
}
_NO_RULES = EntityRules()


def rules_for(path: str) -> EntityRules:
    """The rules of one entity (by URL name)."""
    return _RULES.get(path, _NO_RULES)
