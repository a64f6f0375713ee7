"""Reading create/update bodies: field lookup, type conversion, lengths, picklists, required."""

from __future__ import annotations

from typing import Any

from .errors import ApiError
from .schema import DataType, EntitySpec, FieldSpec
from .store import Record
from .values import coerce

__all__ = ["body_fields", "body_id", "check_required", "check_value"]


def check_value(spec: FieldSpec, value: Any) -> None:
    """Length and picklist rules for one converted, non-null value."""
    if spec.data_type is DataType.STRING and spec.length and len(value) > spec.length:
        raise ApiError(f"String value exceeds maximum length (field:{spec.name}).")
    if spec.picklist is not None and value not in spec.picklist_values():
        raise ApiError(f"Value {value} is not a valid picklist value for field {spec.name}.")


def body_fields(entity: EntitySpec, body: Any) -> dict[str, Any]:
    """The writable fields a body sets, converted; read-only fields are ignored as Autotask does."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object describing one entity.")
    values: dict[str, Any] = {}
    errors: list[str] = []
    for key, raw in body.items():
        if str(key).lower() == "userdefinedfields" and entity.has_udfs:
            continue  # no UDF definitions exist in the simulated tenant; nothing to store
        spec = entity.field_named(str(key))
        if spec is None:
            errors.append(f"Unable to find {key} in the {entity.name} Entity.")
            continue
        if spec.read_only:
            continue
        if raw is None:
            values[spec.name] = None
            continue
        try:
            value = coerce(spec, raw)
            check_value(spec, value)
        except ApiError as exc:
            errors.extend(exc.messages)
            continue
        values[spec.name] = value
    if errors:
        raise ApiError(*errors)
    return values


def body_id(body: Any) -> int:
    """The ``id`` an update body names (PATCH and PUT carry it in the body)."""
    if isinstance(body, dict):
        for key, raw in body.items():
            if str(key).lower() == "id" and isinstance(raw, int) and not isinstance(raw, bool):
                return raw
    raise ApiError("Value does not exist for the required field id.")


def check_required(entity: EntitySpec, record: Record) -> None:
    """Every required writable field has a value."""
    missing = [
        f"Value does not exist for the required field {spec.name}."
        for spec in entity.fields
        if spec.required and not spec.read_only and record.get(spec.name) in (None, "")
    ]
    if missing:
        raise ApiError(*missing)
