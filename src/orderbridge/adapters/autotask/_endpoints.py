"""Entity endpoint names and what write calls answer.

A child collection (``/PurchaseOrders/{id}/Items``) is its own entity endpoint for Autotask's
thread limit, so requests to it are limited and counted under the child entity's name. Writes
answer ``{"itemId": n}`` — or, for some entities, an empty body.
"""

from __future__ import annotations

from typing import Any

from ._errors import BadPayload

__all__ = ["child_endpoint", "written_item_id"]

_CHILD_ENDPOINTS = {
    ("purchaseorders", "items"): "PurchaseOrderItems",
    ("purchaseorderitems", "receiving"): "PurchaseOrderItemReceiving",
    ("tickets", "notes"): "TicketNotes",
    ("projects", "notes"): "ProjectNotes",
    ("products", "vendors"): "ProductVendors",
}


def child_endpoint(parent: str, child: str) -> str:
    """The entity endpoint behind ``/{parent}/{id}/{child}``."""
    return _CHILD_ENDPOINTS.get((parent.lower(), child.lower()), child)


def written_item_id(endpoint: str, payload: Any) -> int | None:
    """The record id a write answered with, or ``None`` for an empty answer."""
    if payload is None:
        return None
    value = payload.get("itemId") if isinstance(payload, dict) else None
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadPayload(f"{endpoint}: 'itemId' is not a number: {value!r}", endpoint=endpoint)
    return value
