"""TD SYNNEX code tables: ship methods, warehouses, status codes and payload variants."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "HOLD_METHODS",
    "SHIP_METHODS",
    "WAREHOUSES",
    "ShipMethod",
    "Variant",
    "Warehouse",
    "second_warehouse",
    "ship_method",
    "warehouse",
]


@dataclass(frozen=True, slots=True)
class ShipMethod:
    """A ship-method code with its description and a typical transit time."""

    code: str
    description: str
    transit_days: int


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A numeric SynnexXML warehouse and where it is."""

    number: str
    city: str
    state: str
    zip_code: str


SHIP_METHODS: dict[str, ShipMethod] = {
    m.code: m
    for m in (
        ShipMethod("FG", "FedEx Ground", 4),
        ShipMethod("F2", "FedEx 2Day", 2),
        ShipMethod("FO", "FedEx Standard Overnight", 1),
        ShipMethod("FP", "FedEx Priority Overnight", 1),
        ShipMethod("FX", "FedEx Express Saver", 3),
        ShipMethod("FHD", "FedEx Home Delivery", 4),
        ShipMethod("FS", "FedEx Saturday", 2),
        ShipMethod("DH", "DHL", 3),
        ShipMethod("CPU", "Customer Pickup", 0),
        ShipMethod("DE", "Local Delivery", 1),
        ShipMethod("UPG", "UPS Standard", 4),
        ShipMethod("UPX", "UPS Express Saver", 2),
        ShipMethod("PUG", "Purolator Ground", 4),
        ShipMethod("PUX", "Purolator Express", 2),
        ShipMethod("LMG", "Loomis Ground", 5),
        ShipMethod("HS", "Hold Ship", 0),
        ShipMethod("NL", "Hold Order", 0),
    )
}

HOLD_METHODS = frozenset({"HS", "NL"})

WAREHOUSES: dict[str, Warehouse] = {
    w.number: w
    for w in (
        Warehouse("3", "FREMONT", "CA", "94538"),
        Warehouse("4", "NORCROSS", "GA", "30071"),
        Warehouse("6", "ROMEOVILLE", "IL", "60446"),
        Warehouse("7", "OLIVE BRANCH", "MS", "38654"),
        Warehouse("8", "MONROE", "NJ", "08831"),
        Warehouse("10", "BEAVERTON", "OR", "97005"),
        Warehouse("12", "ONTARIO", "CA", "91761"),
        Warehouse("14", "GROVE CITY", "OH", "43123"),
        Warehouse("16", "MIAMI", "FL", "33172"),
        Warehouse("505", "FORT WORTH", "TX", "76177"),
        Warehouse("26", "HALIFAX", "NS", "B3S 1B3"),
        Warehouse("29", "GUELPH", "ON", "N1H 1B9"),
        Warehouse("31", "CALGARY", "AB", "T2C 4T5"),
        Warehouse("81", "RICHMOND", "BC", "V6V 2Z9"),
    )
}

_UNKNOWN_WAREHOUSE = Warehouse("", "", "", "")


def ship_method(code: str) -> ShipMethod:
    """The ship method for ``code``; unknown codes keep their code as description."""
    return SHIP_METHODS.get(code.upper(), ShipMethod(code.upper(), code.upper(), 4))


def warehouse(number: str) -> Warehouse:
    """The warehouse for ``number``; unknown numbers get no address."""
    return WAREHOUSES.get(number, Warehouse(number, "", "", "")) if number else _UNKNOWN_WAREHOUSE


def second_warehouse(number: str) -> str:
    """The other warehouse a split line ships from (a fixed, different one)."""
    return "7" if number != "7" else "4"


class Variant(StrEnum):
    """Payload quirks a scenario order can ask for (see docs/simulators-tdsynnex.md)."""

    EMPTY_ELEMENTS = "empty_elements"  # <ShipFromWarehouse></ShipFromWarehouse>, <ETADate/>
    THOUSANDS_SEPARATORS = "thousands_separators"  # money as "1,234.56"
    MISSPELT_DELIVERY_DATE = "misspelt_delivery_date"  # EstimateDeliveryDate
    UPPERCASE_CODES = "uppercase_codes"  # ACCEPTED, SHIPPED, ...
    DATE_ONLY = "date_only"  # date-times rendered as YYYY-MM-DD
    DATETIME_DATES = "datetime_dates"  # dates rendered as YYYY-MM-DDT00:00:00
    NOT_FOUND_SPACED = "not_found_spaced"  # "NOT FOUND" instead of notFound
    NO_CUST_PO_LINE_NO = "no_cust_po_line_no"  # leave CustPOLineNo out
    LINES_OUT_OF_ORDER = "lines_out_of_order"  # Items in descending line order
    # UNCONFIRMED robustness case: one TrackNumber per carton instead of the default single
    # comma-separated list. No source shows TD SYNNEX sending it; a production client breaks on it.
    REPEATED_TRACK_NUMBERS = "repeated_track_numbers"
    SN_PREFIXED_SERIALS = "sn_prefixed_serials"  # invoice SerialNo values start with "SN:"
    DELETED_LINE = "deleted_line"  # state deleted removes only the last line, not the order
    HOLD_ORDER = "hold_order"  # hold shows as NL "Hold Order" instead of HS "Hold Ship"
