"""The scenario format shared by both simulators.

One scenario describes matching pairs: the Autotask purchase order (vendor TD SYNNEX, status
Submitted, items with products) and the TD SYNNEX order under the same PO number, in a named
lifecycle state. Each simulator reads the part it serves; loading the same file into both gives
the demo and the tests a realistic, consistent pair. See docs/simulators.md for the format.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = [
    "DEFAULT_PATHS",
    "Scenario",
    "ScenarioAutotask",
    "ScenarioError",
    "ScenarioLine",
    "ScenarioOrder",
    "TdErrorStyle",
    "TdState",
    "builtin_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_to_json",
]


class ScenarioError(ValueError):
    """A scenario file that cannot be read, with a message naming the problem."""


class TdState(StrEnum):
    """Named lifecycle states a simulated TD SYNNEX order can be put in."""

    ACCEPTED = "accepted"  # received, nothing allocated yet
    PROCESSING = "processing"  # allocated to a warehouse, estimated ship date known
    ON_HOLD = "on_hold"  # ship method HS / NL
    BACKORDERED = "backordered"  # nothing shipped, ETA in the future
    PARTIALLY_SHIPPED = "partially_shipped"  # some units or lines shipped, the rest open
    SHIPPED = "shipped"  # everything shipped, packages with tracking and serials
    DELIVERED = "delivered"  # CarrierDeliveredDate on the packages
    INVOICED = "invoiced"  # Code invoiced; the invoice query answers
    DELETED = "deleted"  # cancelled at TD SYNNEX
    REJECTED = "rejected"  # refused (duplicate PO sample)
    SERVER_ERROR = "server_error"  # POStatus answers errorMessage ServerError (transient)
    NOT_FOUND = "not_found"  # TD SYNNEX does not know the PO


class TdErrorStyle(StrEnum):
    """Which error elements the TD SYNNEX simulator answers with (which one is real is UNCONFIRMED).

    Clients disagree: most read top-level ``errorMessage``/``errorDetail``, one production client
    reads only a PascalCase ``ErrorDetail`` or ``BizError/detail``, and TD SYNNEX's own plugin
    lists all of them. Each form can be switched on so a client can be checked against it.
    """

    LOWER = "errorMessage"  # <errorMessage>/<errorDetail> under SynnexB2B (the default)
    PASCAL = "ErrorMessage"  # <ErrorMessage>/<ErrorDetail> under SynnexB2B
    NESTED = "nested_ErrorMessage"  # <ErrorMessage>/<ErrorDetail> inside the response element
    BIZ_ERROR = "BizError"  # <BizError><code>message</code><detail>detail</detail></BizError>
    BIZ_ERROR_LOWER = "bizError"  # the same with a lower-case bizError element


# The lifecycle an order walks through when advanced, by the state it starts in. A scenario
# order may give its own ``path``.
DEFAULT_PATHS: dict[TdState, list[TdState]] = {
    TdState.ACCEPTED: [
        TdState.ACCEPTED,
        TdState.PROCESSING,
        TdState.SHIPPED,
        TdState.DELIVERED,
        TdState.INVOICED,
    ],
    TdState.PROCESSING: [TdState.PROCESSING, TdState.SHIPPED, TdState.DELIVERED, TdState.INVOICED],
    TdState.ON_HOLD: [
        TdState.ACCEPTED,
        TdState.ON_HOLD,
        TdState.PROCESSING,
        TdState.SHIPPED,
        TdState.DELIVERED,
        TdState.INVOICED,
    ],
    TdState.BACKORDERED: [
        TdState.ACCEPTED,
        TdState.BACKORDERED,
        TdState.PARTIALLY_SHIPPED,
        TdState.SHIPPED,
        TdState.INVOICED,
        TdState.DELIVERED,
    ],
    TdState.PARTIALLY_SHIPPED: [
        TdState.ACCEPTED,
        TdState.PARTIALLY_SHIPPED,
        TdState.SHIPPED,
        TdState.DELIVERED,
        TdState.INVOICED,
    ],
    TdState.SHIPPED: [TdState.ACCEPTED, TdState.SHIPPED, TdState.DELIVERED, TdState.INVOICED],
    TdState.DELIVERED: [TdState.ACCEPTED, TdState.SHIPPED, TdState.DELIVERED, TdState.INVOICED],
    TdState.INVOICED: [TdState.ACCEPTED, TdState.SHIPPED, TdState.INVOICED, TdState.DELIVERED],
    TdState.DELETED: [TdState.ACCEPTED, TdState.DELETED],
    TdState.REJECTED: [TdState.REJECTED],
    TdState.SERVER_ERROR: [TdState.SERVER_ERROR, TdState.ACCEPTED, TdState.SHIPPED],
    TdState.NOT_FOUND: [TdState.NOT_FOUND],
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioLine(_Strict):
    """One PO line: the product and how many were ordered."""

    sku: str = Field(min_length=1, max_length=50)
    mfg_pn: str = Field(min_length=1, max_length=50)
    description: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=100_000)
    unit_price: Decimal = Field(ge=0)
    serialized: bool = False


class ScenarioAutotask(_Strict):
    """How the Autotask side of an order looks."""

    create: bool = True  # False: the order exists only at TD SYNNEX
    status: str = "Submitted"  # PurchaseOrders.status label
    vendor: str | None = None  # None: the scenario's TD SYNNEX vendor company
    purchase_order_number: str | None = None  # None: the order's po_number
    omit_po_number: bool = False  # leave purchaseOrderNumber empty (for doctor checks)
    external_po_number: str | None = None  # a recorded TD SYNNEX order number
    general_memo: str = ""  # user text already on the PO
    submitted_days_ago: int = Field(default=3, ge=0, le=3650)


class ScenarioOrder(_Strict):
    """One order pair: the TD SYNNEX order and the Autotask PO for it."""

    po_number: str = Field(min_length=1, max_length=50)
    state: TdState = TdState.ACCEPTED
    path: list[TdState] | None = None
    ship_method: str = "FG"
    warehouse: str = "3"
    split_line: int | None = None  # this PO line is split over two sales orders / warehouses
    packages: int = Field(default=1, ge=1, le=50)  # cartons per shipped line
    invoices: int = Field(default=1, ge=1, le=20)
    variants: list[str] = Field(default_factory=list)  # payload quirks, see docs/simulators.md
    autotask: ScenarioAutotask = Field(default_factory=ScenarioAutotask)
    lines: list[ScenarioLine] = Field(min_length=1)

    @model_validator(mode="after")
    def _state_on_path(self) -> ScenarioOrder:
        if self.path is not None and self.state not in self.path:
            raise ValueError(f"state {self.state.value!r} is not on the order's path")
        if self.split_line is not None and not 1 <= self.split_line <= len(self.lines):
            raise ValueError(f"split_line {self.split_line} is not a line of the order")
        return self

    def lifecycle(self) -> list[TdState]:
        """The states this order walks through, in order."""
        return list(self.path) if self.path is not None else list(DEFAULT_PATHS[self.state])


class Scenario(_Strict):
    """A named set of order pairs plus the accounts they live in."""

    name: str = "scenario"
    customer_number: str = "123456"
    vendor_name: str = "TD SYNNEX Corporation"
    other_vendors: list[str] = Field(default_factory=lambda: ["Ingram Micro", "D&H Distributing"])
    orders: list[ScenarioOrder] = Field(default_factory=list)
    # TD SYNNEX only: the error-element form to answer with; None keeps the simulator's own.
    error_style: TdErrorStyle | None = None

    @model_validator(mode="after")
    def _unique_po_numbers(self) -> Scenario:
        seen: set[str] = set()
        for order in self.orders:
            if order.po_number in seen:
                raise ValueError(f"PO number {order.po_number!r} appears twice")
            seen.add(order.po_number)
        return self


def parse_scenario(text: str | bytes, *, source: str = "scenario") -> Scenario:
    """Parse YAML or JSON scenario text (JSON is YAML), naming the problem on failure."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: not valid YAML or JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: the top level must be a mapping with an 'orders' list")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ScenarioError(f"{source}: {problems}") from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror}") from None
    return parse_scenario(text, source=str(path))


def builtin_scenario(name: str = "demo") -> Scenario:
    """One of the scenarios shipped inside the package (``demo``: ~25 orders in every state)."""
    resource = resources.files("orderbridge.simulators") / "scenarios" / f"{name}.yaml"
    if not resource.is_file():
        raise ScenarioError(f"no built-in scenario named {name!r}")
    return parse_scenario(resource.read_bytes(), source=f"built-in scenario {name!r}")


def scenario_to_json(scenario: Scenario) -> str:
    """Serialise a scenario (for posting it to a running simulator)."""
    return json.dumps(scenario.model_dump(mode="json"))
