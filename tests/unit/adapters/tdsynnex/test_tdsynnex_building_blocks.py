"""Request building, endpoints, value reading and error classification."""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

import pytest
from defusedxml.ElementTree import fromstring

from orderbridge.adapters.tdsynnex import (
    AuthFailed,
    InvalidRequest,
    RequestRejected,
    TdSynnexEndpoints,
    TransientError,
    UnrecognisedError,
    endpoints_for,
)
from orderbridge.adapters.tdsynnex._errors import classify_error
from orderbridge.adapters.tdsynnex._requests import (
    Credentials,
    invoice_request,
    order_status_request,
)
from orderbridge.adapters.tdsynnex._values import read_money, read_quantity, split_tracking
from orderbridge.error_texts import ErrorVocabulary

CREDS = Credentials("123456", "api@reseller.example", "p<w>&'\"d")


def test_status_request_escapes_and_round_trips() -> None:
    body = order_status_request(CREDS, "  PO-<1>&2 ", version="2.7")
    root = fromstring(body)

    assert body.startswith(b"<?xml")
    assert root.get("version") == "2.7"
    assert root.findtext("Credential/Password") == "p<w>&'\"d"
    assert root.findtext("OrderStatusRequest/PONumber") == "PO-<1>&2"
    assert root.findtext("OrderStatusRequest/CustomerNumber") == "123456"


def _whole_tree_status_request(credentials: Credentials, po: str, version: str) -> bytes:
    """The POStatus document serialised as one ElementTree, the way it was always built."""
    root = Element("SynnexB2B", {"version": version} if version else {})
    credential = SubElement(root, "Credential")
    SubElement(credential, "UserID").text = credentials.user_id
    SubElement(credential, "Password").text = credentials.password
    request = SubElement(root, "OrderStatusRequest")
    SubElement(request, "CustomerNumber").text = credentials.customer_number
    SubElement(request, "PONumber").text = po.strip()
    return bytes(tostring(root, encoding="utf-8", xml_declaration=True))


@pytest.mark.parametrize("po", ["PO-1", "  PO-<1>&2 ", "Bestellung-ÄÖÜ-€", "a>b\"c'd"])
@pytest.mark.parametrize("version", ["2.7", ""])
@pytest.mark.parametrize(
    "credentials",
    [CREDS, Credentials("1", "orderbridge-po-number-placeholder-7f3c9a", "x")],
)
def test_status_request_is_byte_for_byte_the_whole_tree(
    po: str, version: str, credentials: Credentials
) -> None:
    built = order_status_request(credentials, po, version=version)
    assert built == _whole_tree_status_request(credentials, po, version)


def test_invoice_request_needs_exactly_one_key() -> None:
    with pytest.raises(InvalidRequest):
        invoice_request(CREDS)
    with pytest.raises(InvalidRequest):
        invoice_request(CREDS, po_number="PO-1", order_number="1")
    root = fromstring(invoice_request(CREDS, order_number="60045675", version=""))
    assert root.get("version") is None
    assert root.findtext("InvoiceRequest/OrderNumber") == "60045675"


@pytest.mark.parametrize("po", ["", "   ", "PO\x00-1", "PO\x1b", "P" * 101])
def test_unusable_po_numbers_are_invalid_requests(po: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        order_status_request(CREDS, po)
    assert info.value.po_number == po


def test_control_character_in_password_is_refused_without_quoting_it() -> None:
    creds = Credentials("123456", "user", "pass\x01word")
    with pytest.raises(InvalidRequest) as info:
        order_status_request(creds, "PO-1")
    assert "pass" not in str(info.value).replace("password", "")
    assert "pass\x01word" not in repr(creds)


@pytest.mark.parametrize(
    ("region", "environment", "status", "invoice"),
    [
        ("US", "production", "https://ec.us.tdsynnex.com/SynnexXML/POStatus",
         "https://ws.us.tdsynnex.com/webservice/invoice/query"),
        ("us", "test", "https://testec.us.tdsynnex.com/SynnexXML/POStatus",
         "https://testws.us.tdsynnex.com/webservice/invoice/query"),
        ("CA", "prod", "https://ec.ca.tdsynnex.com/SynnexXML/POStatus",
         "https://ws.ca.tdsynnex.com/webservice/invoice/query"),
        ("ca", "sandbox", "https://testec.ca.tdsynnex.com/SynnexXML/POStatus",
         "https://testws.ca.tdsynnex.com/webservice/invoice/query"),
    ],
)  # fmt: skip
def test_published_endpoints(region: str, environment: str, status: str, invoice: str) -> None:
    endpoints = endpoints_for(region=region, environment=environment)
    assert (endpoints.status_url, endpoints.invoice_url) == (status, invoice)


def test_endpoint_validation() -> None:
    with pytest.raises(ValueError, match="unknown TD SYNNEX region"):
        endpoints_for(region="MX")
    with pytest.raises(ValueError, match="refusing plain http"):
        TdSynnexEndpoints.at("http://relay.example.com")
    assert TdSynnexEndpoints.at("http://relay.example.com", allow_plain_http=True)
    local = TdSynnexEndpoints.at("http://127.0.0.1:8080/")
    assert local.status_url == "http://127.0.0.1:8080/SynnexXML/POStatus"
    with pytest.raises(ValueError, match="not an http"):
        TdSynnexEndpoints(status_url="ftp://x", invoice_url="https://y")


def test_money_and_quantity_rules() -> None:
    assert read_money("(1,234.50)", field="f", po_number=None) == Decimal("-1234.50")
    assert read_money("CAD 10.00", field="f", po_number=None) == Decimal("10.00")
    assert read_money("NaN", field="f", po_number=None) is None
    assert read_money("n/a", field="f", po_number=None) is None
    assert read_quantity("2.0", field="q", po_number=None) == 2
    for bad in ("2.5", "lots", "-1", "Infinity", "1e12"):
        with pytest.raises(Exception, match="q is") as info:
            read_quantity(bad, field="q", po_number="PO-1")
        assert type(info.value).__name__ == "BadPayload"


def test_tracking_numbers_split_and_dedupe() -> None:
    assert split_tracking(["A1, B2;C3", "A1", " D4 "]) == ("A1", "B2", "C3", "D4")


def test_classification_and_custom_vocabulary() -> None:
    vocabulary = ErrorVocabulary()
    assert isinstance(classify_error("ServerError", None, vocabulary=vocabulary), TransientError)
    assert isinstance(classify_error("Bad", "Invalid password", vocabulary=vocabulary), AuthFailed)
    assert isinstance(classify_error("Credit hold", None, vocabulary=vocabulary), RequestRejected)
    custom = ErrorVocabulary(transient=("credit hold",))
    assert isinstance(classify_error("Credit hold", None, vocabulary=custom), TransientError)


def test_an_unknown_text_is_quoted_with_the_settings_that_would_teach_its_meaning() -> None:
    error = classify_error("Sign-on blocked", None, vocabulary=ErrorVocabulary(), po_number="P1")
    assert isinstance(error, UnrecognisedError)
    assert isinstance(error, RequestRejected)
    assert error.text == "Sign-on blocked"
    said = str(error)
    assert said.startswith("PO P1: TD SYNNEX answered an error orderbridge does not know")
    assert "'Sign-on blocked'" in said
    for key in ("auth_error_texts", "ip_refusal_texts", "transient_error_texts"):
        assert f"[tdsynnex] {key}" in said
    assert "not_found_texts" not in said
    on_invoices = classify_error("Odd", None, vocabulary=ErrorVocabulary(), invoice_query=True)
    assert "[tdsynnex] not_found_texts" in str(on_invoices)
