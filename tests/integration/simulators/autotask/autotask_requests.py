"""Request-building pieces the Autotask simulator tests share."""

from __future__ import annotations

from typing import Any, Protocol

from orderbridge.simulators.autotask import AutotaskSimConfig

API = "/ATServicesRest/V1.0"


class SeedPurchaseOrder(Protocol):
    """The ``seed_po`` fixture: creates a PO through the admin API and returns its JSON."""

    def __call__(
        self, po_number: str, *, status: str = ..., lines: int = ..., qty: int = ...
    ) -> dict[str, Any]:
        """Create ``po_number`` with ``lines`` lines of ``qty`` each, in ``status``."""
        ...


def auth_headers(config: AutotaskSimConfig) -> dict[str, str]:
    """The three authentication headers for ``config``."""
    return {
        "ApiIntegrationCode": config.integration_code,
        "UserName": config.username,
        "Secret": config.secret,
    }


def line(n: int = 1, quantity: int = 2, price: str = "10.00") -> dict[str, Any]:
    """A scenario order line."""
    return {
        "sku": f"SKU{n}",
        "mfg_pn": f"MFG-{n}",
        "description": f"Product {n}",
        "quantity": quantity,
        "unit_price": price,
    }


def po_body(vendor: int, status: int, **extra: Any) -> dict[str, Any]:
    """A valid PurchaseOrders create body."""
    return {
        "vendorID": vendor,
        "status": status,
        "shipToName": "Dock",
        "shipToAddress1": "1 Main St",
        **extra,
    }
