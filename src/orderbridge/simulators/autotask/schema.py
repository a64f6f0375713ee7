"""Field and entity descriptions, and their rendering as Autotask metadata JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["DataType", "EntitySpec", "FieldSpec", "Picklist", "PicklistValue"]


class DataType(StrEnum):
    """The ``dataType`` strings of entityInformation/fields (boolean/decimal are UNCONFIRMED)."""

    INTEGER = "integer"
    LONG = "long"
    SHORT = "short"  # picklist columns such as Companies.companyType, as a real fixture shows
    STRING = "string"
    DATETIME = "datetime"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"

    @property
    def is_integral(self) -> bool:
        """Whether values of this type are whole numbers."""
        return self in (DataType.INTEGER, DataType.LONG, DataType.SHORT)


@dataclass(frozen=True, slots=True)
class PicklistValue:
    """One picklist entry; Autotask sends ``value`` as a string."""

    value: int
    label: str
    is_default: bool = False
    is_system: bool = True

    def to_json(self, sort_order: int) -> dict[str, Any]:
        """The entry as entityInformation/fields JSON."""
        return {
            "value": str(self.value),
            "label": self.label,
            "isDefaultValue": self.is_default,
            "sortOrder": sort_order,
            "parentValue": "",
            "isActive": True,
            "isSystem": self.is_system,
        }


Picklist = tuple[PicklistValue, ...]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One entity field as entityInformation/fields describes it."""

    name: str
    data_type: DataType
    length: int = 0
    required: bool = False
    read_only: bool = False
    reference: str = ""  # referenced entity's singular name, e.g. "Company"
    picklist: Picklist | None = None
    queryable: bool = True

    def to_json(self) -> dict[str, Any]:
        """The field as entityInformation/fields JSON."""
        values = (
            None
            if self.picklist is None
            else [entry.to_json(order) for order, entry in enumerate(self.picklist, 1)]
        )
        return {
            "name": self.name,
            "dataType": self.data_type.value,
            "length": self.length,
            "isRequired": self.required,
            "isReadOnly": self.read_only,
            "isQueryable": self.queryable,
            "isReference": bool(self.reference),
            "referenceEntityType": self.reference,
            "isPickList": self.picklist is not None,
            "picklistValues": values,
            "picklistParentValueField": "",
            "isSupportedWebhookField": False,
        }

    def picklist_values(self) -> frozenset[int]:
        """The allowed integers of a picklist field (empty for other fields)."""
        return frozenset(entry.value for entry in self.picklist or ())


@dataclass(frozen=True)
class EntitySpec:
    """One REST entity: its URL name, singular name, fields and what it allows."""

    path: str  # plural URL name, e.g. "PurchaseOrders"
    name: str  # singular name used in messages and metadata, e.g. "PurchaseOrder"
    fields: tuple[FieldSpec, ...]
    can_create: bool = True
    can_update: bool = True
    can_delete: bool = False
    has_udfs: bool = False
    parent_field: str = ""  # for child entities: the field naming the parent record
    root_writes: bool = True  # False: create/update only through the parent's child path
    by_lower: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_lower", {f.name.lower(): f for f in self.fields})
        # Field names in API order, computed once: every rendered record is laid out by them.
        object.__setattr__(self, "names", tuple(f.name for f in self.fields))

    def field_named(self, name: str) -> FieldSpec | None:
        """Look a field up case-insensitively."""
        return self.by_lower.get(name.lower())

    def info_json(self) -> dict[str, Any]:
        """The ``info`` object of entityInformation."""
        return {
            "name": self.name,
            "canCreate": self.can_create,
            "canDelete": self.can_delete,
            "canQuery": True,
            "canUpdate": self.can_update,
            "userAccessForCreate": "All" if self.can_create else "None",
            "userAccessForDelete": "All" if self.can_delete else "None",
            "userAccessForQuery": "All",
            "userAccessForUpdate": "All" if self.can_update else "None",
            "hasUserDefinedFields": self.has_udfs,
            "supportsWebhookCallouts": False,
        }
