"""Ship-method codes, carrier detection from tracking numbers, tracking links."""

from __future__ import annotations

import pytest

from orderbridge.domain.carriers import CarrierCatalog, ShipMethodKind, detect_carrier

catalog = CarrierCatalog()


@pytest.mark.parametrize(
    ("code", "carrier", "service"),
    [
        ("FG", "FedEx", "Ground"),
        ("F2", "FedEx", "2Day"),
        ("FO", "FedEx", "Standard Overnight"),
        ("FP", "FedEx", "Priority Overnight"),
        ("FX", "FedEx", "Express Saver"),
        ("FHD", "FedEx", "Home Delivery"),
        ("FS", "FedEx", "Saturday Delivery"),
        ("FDXH", "FedEx", None),
        ("DH", "DHL", None),
        ("UPG", "UPS", "Standard"),
        ("UPSS", "UPS", "Express Saver"),
        ("UPX", "UPS", "Express Saver"),
        ("PUG", "Purolator", "Ground"),
        ("PUX", "Purolator", "Express"),
        ("PUA", "Purolator", "Air"),
        ("LMG", "Loomis", "Ground"),
        ("L18G", "Loomis", "Express 18:00 (ground)"),
        ("L18A", "Loomis", "Express 18:00 (air)"),
    ],
)
def test_parcel_codes_name_carrier_and_service(
    code: str, carrier: str, service: str | None
) -> None:
    method = catalog.ship_method(code)
    assert (method.carrier, method.service, method.kind) == (
        carrier,
        service,
        ShipMethodKind.PARCEL,
    )


def test_codes_are_read_regardless_of_case_and_spaces() -> None:
    assert catalog.ship_method(" fg ").carrier == "FedEx"


@pytest.mark.parametrize("code", ["CPC", "CPCX", "CPC1", "cpcexp"])
def test_every_cpc_code_is_canada_post(code: str) -> None:
    assert catalog.ship_method(code).carrier == "Canada Post"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("CPU", ShipMethodKind.PICKUP),
        ("WC", ShipMethodKind.PICKUP),
        ("FWC", ShipMethodKind.PICKUP),
        ("DE", ShipMethodKind.LOCAL),
        ("EDEL", ShipMethodKind.ELECTRONIC),
        ("HS", ShipMethodKind.HOLD),
        ("NL", ShipMethodKind.HOLD),
    ],
)
def test_non_carrier_codes_have_a_kind_and_no_carrier(code: str, kind: ShipMethodKind) -> None:
    method = catalog.ship_method(code)
    assert method.kind is kind
    assert method.carrier is None


@pytest.mark.parametrize(
    ("code", "carrier"),
    [("FXLE", "FedEx Freight"), ("ABFC", "ABF Freight"), ("AAAC", "AAA Cooper")],
)
def test_ltl_codes_are_freight(code: str, carrier: str) -> None:
    method = catalog.ship_method(code)
    assert (method.carrier, method.kind) == (carrier, ShipMethodKind.FREIGHT)


def test_hold_codes_and_hold_descriptions_are_holds() -> None:
    assert catalog.is_hold("HS")
    assert catalog.is_hold("nl")
    assert catalog.is_hold("ZZ", "Hold Order")
    assert not catalog.is_hold("FG", "FedEx Ground")
    assert not catalog.is_hold(None, None)


def test_unknown_code_falls_back_to_the_description() -> None:
    method = catalog.ship_method("Q9", "FedEx International Priority")
    assert (method.carrier, method.service) == ("FedEx", "International Priority")
    assert catalog.ship_method("Q8", "UPS Ground").carrier == "UPS"
    assert catalog.ship_method("Q7", "Customer Pick Up").kind is ShipMethodKind.PICKUP


def test_unknown_code_and_description_fall_back_to_the_tracking_number() -> None:
    assert catalog.carrier_for("ZZ", None, "1Z999AA10123456784") == ("UPS", None)
    assert catalog.carrier_for(None, "Mystery courier", "1Z999AA10123456784") == (
        "UPS",
        "Mystery courier",
    )


def test_ship_method_wins_over_the_tracking_number_format() -> None:
    assert catalog.carrier_for("UPX", None, "123456789012") == ("UPS", "Express Saver")


def test_pickup_is_not_guessed_from_a_number() -> None:
    assert catalog.carrier_for("CPU", None, "1Z999AA10123456784") == (None, "Customer pickup")


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("1Z999AA10123456784", "UPS"),
        ("1z 999 aa1 0123456784", "UPS"),
        ("123456789012", "FedEx"),  # valid FedEx Express check digit
        ("031234567001", "Purolator"),  # fails FedEx check, passes Luhn
        ("123456789012345", "FedEx"),
        ("9612019059803563050071", "FedEx"),
        ("9400111899223100000000", "USPS"),
        ("7316012345678901", "Canada Post"),
        ("ABC123456789", "Purolator"),
        ("EE123456785CA", "Canada Post"),
        ("EE123456785US", "USPS"),
        ("1234567890", "DHL"),
        ("hello", None),
        ("", None),
        (None, None),
    ],
)
def test_carrier_detection_from_tracking_number(number: str | None, carrier: str | None) -> None:
    assert detect_carrier(number) == carrier


@pytest.mark.parametrize(
    ("carrier", "url"),
    [
        ("UPS", "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"),
        ("FedEx", "https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456784"),
        ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=1Z999AA10123456784"),
        (
            "Purolator",
            "https://www.purolator.com/en/shipping/tracker?searchValue=1Z999AA10123456784",
        ),
    ],
)
def test_default_tracking_links(carrier: str, url: str) -> None:
    assert catalog.tracking_url(carrier, "1Z999AA10123456784") == url


def test_tracking_links_remove_spaces_and_url_encode() -> None:
    url = catalog.tracking_url("fedex", " 5089 2222 0890 ")
    assert url == "https://www.fedex.com/fedextrack/?trknbr=508922220890"
    assert catalog.tracking_url("UPS", "A&B/C?D") == (
        "https://www.ups.com/track?loc=en_US&tracknum=A%26B%2FC%3FD"
    )


def test_templates_can_be_overridden_added_and_switched_off() -> None:
    custom = CarrierCatalog(
        {
            "FedEx": "https://track.example/{tracking_number}",
            "Loomis": "https://l.example/?n={tracking_number}",
            "UPS": "",
        }
    )
    assert custom.tracking_url("FedEx", "123") == "https://track.example/123"
    assert custom.tracking_url("Loomis", "X 1") == "https://l.example/?n=X1"
    assert custom.tracking_url("UPS", "1Z999AA10123456784") is None
    assert str(custom.tracking_url("Purolator", "P1")).startswith("https://www.purolator.com/")


def test_no_link_without_carrier_template_or_number() -> None:
    assert catalog.tracking_url(None, "123") is None
    assert catalog.tracking_url("Loomis", "123") is None
    assert catalog.tracking_url("FedEx", "  ") is None
    assert CarrierCatalog({"FedEx": "https://no-placeholder"}).tracking_url("FedEx", "1") is None
