"""The entities the simulator serves, with field lists and lengths per the reference (§4)."""

from __future__ import annotations

from collections.abc import Mapping

from .config import AutotaskSimConfig
from .schema import DataType, EntitySpec, FieldSpec, Picklist, PicklistValue

__all__ = ["EntityCatalog", "build_catalog"]

_I = DataType.INTEGER
_L = DataType.LONG
_SH = DataType.SHORT
_S = DataType.STRING
_T = DataType.DATETIME
_D = DataType.DECIMAL
_B = DataType.BOOLEAN


def _picklist(values: Mapping[str, int], default: str | None = None) -> Picklist:
    return tuple(
        PicklistValue(value=v, label=label, is_default=label == default)
        for label, v in values.items()
    )


def _ro(name: str, data_type: DataType, length: int = 0) -> FieldSpec:
    return FieldSpec(name, data_type, length, read_only=True)


def _purchase_orders(config: AutotaskSimConfig) -> EntitySpec:
    status = _picklist(config.status_values, default="New")
    item_descriptions = _picklist({"Product (Catalog)": 1, "Quote Item": 2, "Charge": 3})
    return EntitySpec(
        "PurchaseOrders",
        "PurchaseOrder",
        (
            _ro("id", _L),
            FieldSpec("vendorID", _I, required=True, reference="Company"),
            FieldSpec("status", _I, required=True, picklist=status),
            FieldSpec("shipToName", _S, 100, required=True),
            FieldSpec("shipToAddress1", _S, 128, required=True),
            FieldSpec("shipToAddress2", _S, 128),
            FieldSpec("shipToCity", _S, 30),
            FieldSpec("shipToState", _S, 25),
            FieldSpec("shipToPostalCode", _S, 10),
            FieldSpec("phone", _S, 25),
            FieldSpec("fax", _S, 25),
            FieldSpec("generalMemo", _S, 4000),
            FieldSpec("externalPONumber", _S, 50),
            FieldSpec("purchaseOrderNumber", _S, 50),
            FieldSpec("vendorInvoiceNumber", _S, 50),
            FieldSpec("additionalVendorInvoiceNumbers", _S, 8000),
            FieldSpec("purchaseForCompanyID", _I, reference="Company"),
            FieldSpec("shippingType", _I),
            FieldSpec("shippingDate", _T),
            FieldSpec("freight", _D),
            _ro("internalCurrencyFreight", _D),
            FieldSpec("paymentTerm", _I),
            FieldSpec("taxRegionID", _I),
            FieldSpec("showTaxCategory", _B),
            FieldSpec("showEachTaxInGroup", _B),
            FieldSpec("useItemDescriptionsFrom", _I, picklist=item_descriptions),
            FieldSpec("purchaseOrderTemplateID", _I),
            _ro("createDateTime", _T),
            _ro("creatorResourceID", _I),
            _ro("impersonatorCreatorResourceID", _I),
            _ro("submitDateTime", _T),
            _ro("cancelDateTime", _T),
            _ro("latestEstimatedArrivalDate", _T),
        ),
    )


def _purchase_order_items() -> EntitySpec:
    return EntitySpec(
        "PurchaseOrderItems",
        "PurchaseOrderItem",
        (
            _ro("id", _L),
            FieldSpec("orderID", _I, required=True, reference="PurchaseOrder"),
            FieldSpec("productID", _I, reference="Product"),
            FieldSpec("inventoryLocationID", _I, required=True, reference="InventoryLocation"),
            FieldSpec("quantity", _I, required=True),
            FieldSpec("unitCost", _D, required=True),
            _ro("internalCurrencyUnitCost", _D),
            FieldSpec("estimatedArrivalDate", _T),
            FieldSpec("memo", _S, 4000),
            FieldSpec("chargeID", _I),
            FieldSpec("contractID", _L),
            FieldSpec("projectID", _L),
            FieldSpec("ticketID", _L, reference="Ticket"),
            FieldSpec("salesOrderID", _L),
        ),
        parent_field="orderID",
        root_writes=False,
    )


def _receiving() -> EntitySpec:
    return EntitySpec(
        "PurchaseOrderItemReceiving",
        "PurchaseOrderItemReceiving",
        (
            _ro("id", _L),
            FieldSpec("purchaseOrderItemID", _L, required=True, reference="PurchaseOrderItem"),
            FieldSpec("quantityNowReceiving", _I, required=True),
            _ro("quantityPreviouslyReceived", _I),
            _ro("quantityBackOrdered", _I),
            FieldSpec("receiveDate", _T),
            FieldSpec("receivedByResourceID", _I),
            FieldSpec("serialNumber", _S, 50),
            FieldSpec("vendorInvoiceNumber", _S, 50),
        ),
        can_update=False,
        parent_field="purchaseOrderItemID",
        root_writes=False,
    )


def _companies(config: AutotaskSimConfig) -> EntitySpec:
    return EntitySpec(
        "Companies",
        "Company",
        (
            _ro("id", _L),
            FieldSpec("companyName", _S, 100, required=True),
            FieldSpec("companyType", _SH, required=True, picklist=_picklist(config.company_types)),
            FieldSpec("companyNumber", _S, 50),
            FieldSpec("phone", _S, 25, required=True),
            FieldSpec("ownerResourceID", _I, required=True),
            FieldSpec("address1", _S, 150),
            FieldSpec("address2", _S, 150),
            FieldSpec("city", _S, 50),
            FieldSpec("state", _S, 25),
            FieldSpec("postalCode", _S, 20),
            FieldSpec("webAddress", _S, 255),
            FieldSpec("isActive", _B),
            FieldSpec("apiVendorID", _I),
            _ro("createDate", _T),
            _ro("lastActivityDate", _T),
        ),
        has_udfs=True,
    )


def _products() -> EntitySpec:
    return EntitySpec(
        "Products",
        "Product",
        (
            _ro("id", _L),
            FieldSpec("name", _S, 100, required=True),
            FieldSpec("description", _S, 2000),
            FieldSpec("manufacturerName", _S, 100),
            FieldSpec("manufacturerProductName", _S, 100),
            FieldSpec("vendorProductNumber", _S, 50),
            FieldSpec("sku", _S, 50),
            FieldSpec("defaultVendorID", _I, reference="Company"),
            FieldSpec("unitCost", _D),
            FieldSpec("unitPrice", _D),
            FieldSpec("isActive", _B),
            FieldSpec("isSerialized", _B),
            FieldSpec("productCategory", _I),
        ),
        has_udfs=True,
    )


def _tickets() -> EntitySpec:
    status = _picklist({"New": 1, "Complete": 5, "In Progress": 8, "Waiting Customer": 7})
    priority = _picklist({"High": 1, "Medium": 2, "Low": 3, "Critical": 4})
    return EntitySpec(
        "Tickets",
        "Ticket",
        (
            _ro("id", _L),
            _ro("ticketNumber", _S, 50),
            FieldSpec("title", _S, 255, required=True),
            FieldSpec("description", _S, 8000),
            FieldSpec("companyID", _I, required=True, reference="Company"),
            FieldSpec("status", _I, required=True, picklist=status),
            FieldSpec("priority", _I, required=True, picklist=priority),
            FieldSpec("queueID", _I),
            FieldSpec("assignedResourceID", _I),
            FieldSpec("contactID", _I, reference="Contact"),
            FieldSpec("dueDateTime", _T),
            _ro("createDate", _T),
            _ro("lastActivityDate", _T),
        ),
        has_udfs=True,
    )


def _notes(parent: str, *extra: FieldSpec) -> EntitySpec:
    """TicketNotes or ProjectNotes: written only through their parent, ``/{Parent}s/{id}/Notes``."""
    note_type = _picklist({"Task Detail": 1, "Task Notes": 2, "Task Summary": 3})
    publish = _picklist({"All Autotask Users": 1, "Internal Only": 2})
    parent_field = f"{parent[0].lower()}{parent[1:]}ID"
    return EntitySpec(
        f"{parent}Notes",
        f"{parent}Note",
        (
            _ro("id", _L),
            FieldSpec(parent_field, _L, required=True, reference=parent),
            FieldSpec("title", _S, 250, required=True),
            FieldSpec("description", _S, 32000, required=True),
            FieldSpec("noteType", _I, required=True, picklist=note_type),
            FieldSpec("publish", _I, required=True, picklist=publish),
            *extra,
            _ro("createDateTime", _T),
            _ro("lastActivityDate", _T),
            _ro("creatorResourceID", _I),
        ),
        parent_field=parent_field,
        root_writes=False,
    )


def _resources() -> EntitySpec:
    return EntitySpec(
        "Resources",
        "Resource",
        (
            _ro("id", _L),
            FieldSpec("firstName", _S, 50, required=True),
            FieldSpec("lastName", _S, 50, required=True),
            FieldSpec("email", _S, 254, required=True),
            FieldSpec("userName", _S, 32),
            FieldSpec("isActive", _B),
        ),
        can_create=False,
        can_update=False,
    )


def _contacts() -> EntitySpec:
    return EntitySpec(
        "Contacts",
        "Contact",
        (
            _ro("id", _L),
            FieldSpec("companyID", _I, required=True, reference="Company"),
            FieldSpec("firstName", _S, 50, required=True),
            FieldSpec("lastName", _S, 50, required=True),
            FieldSpec("emailAddress", _S, 254),
            FieldSpec("isActive", _I),
            _ro("createDate", _T),
            _ro("lastActivityDate", _T),
        ),
        has_udfs=True,
    )


def _projects() -> EntitySpec:
    status = _picklist({"New": 1, "Complete": 5, "In Progress": 8})
    return EntitySpec(
        "Projects",
        "Project",
        (
            _ro("id", _L),
            FieldSpec("projectName", _S, 100, required=True),
            FieldSpec("companyID", _I, required=True, reference="Company"),
            FieldSpec("status", _I, required=True, picklist=status),
            FieldSpec("projectLeadResourceID", _I, reference="Resource"),
            _ro("projectNumber", _S, 50),
            _ro("createDateTime", _T),
            _ro("lastActivityDateTime", _T),
        ),
        has_udfs=True,
    )


def _inventory_locations() -> EntitySpec:
    return EntitySpec(
        "InventoryLocations",
        "InventoryLocation",
        (
            _ro("id", _L),
            FieldSpec("locationName", _S, 50, required=True),
            FieldSpec("isActive", _B),
            FieldSpec("isDefault", _B),
            FieldSpec("resourceID", _I),
        ),
    )


class EntityCatalog:
    """Every entity the simulator knows, looked up by URL name or singular name."""

    # parent URL name -> child segment -> child entity URL name
    CHILDREN: Mapping[str, Mapping[str, str]] = {
        "purchaseorders": {"items": "PurchaseOrderItems"},
        "purchaseorderitems": {"receiving": "PurchaseOrderItemReceiving"},
        "tickets": {"notes": "TicketNotes"},
        "projects": {"notes": "ProjectNotes"},
    }

    def __init__(self, specs: list[EntitySpec]) -> None:
        self.specs = specs
        self._by_path = {spec.path.lower(): spec for spec in specs}
        self._by_name = {spec.name.lower(): spec for spec in specs}

    def by_path(self, path: str) -> EntitySpec | None:
        """An entity by its plural URL name, case-insensitively."""
        return self._by_path.get(path.lower())

    def by_name(self, name: str) -> EntitySpec:
        """An entity by its singular name (as used in ``referenceEntityType``)."""
        return self._by_name[name.lower()]

    def child(self, parent: EntitySpec, segment: str) -> EntitySpec | None:
        """The child entity served at ``/{parent}/{id}/{segment}``."""
        child_path = self.CHILDREN.get(parent.path.lower(), {}).get(segment.lower())
        return None if child_path is None else self._by_path[child_path.lower()]


def build_catalog(config: AutotaskSimConfig) -> EntityCatalog:
    """The entity catalog for one configuration (picklists come from the config)."""
    return EntityCatalog(
        [
            _companies(config),
            _products(),
            _purchase_orders(config),
            _purchase_order_items(),
            _receiving(),
            _tickets(),
            _notes("Ticket"),
            _inventory_locations(),
            # People and project notes, for notifications (the write rules are in ``notes``).
            _resources(),
            _contacts(),
            _projects(),
            _notes("Project", FieldSpec("isAnnouncement", _B)),
        ]
    )
