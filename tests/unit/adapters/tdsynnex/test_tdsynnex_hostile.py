"""Hostile and broken bodies are refused with BadPayload, without leaking or blowing up."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from orderbridge.adapters.tdsynnex import (
    BadPayload,
)
from orderbridge.adapters.tdsynnex._invoices import parse_invoices
from orderbridge.adapters.tdsynnex._parse import parse_order_status

FIXTURES = Path(__file__).parents[3] / "fixtures" / "tdsynnex"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_xxe_to_a_local_file_never_reads_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT-42")
    body = (
        '<?xml version="1.0"?>'
        f'<!DOCTYPE r [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
        "<SynnexB2B><OrderStatusResponse><PONumber>PO-1</PONumber><Code>accepted</Code>"
        "<Reason>&s;</Reason></OrderStatusResponse></SynnexB2B>"
    )
    with pytest.raises(BadPayload, match="entities") as info:
        parse_order_status(body, po_number="PO-1")

    assert "TOP-SECRET-CONTENT-42" not in str(info.value)
    assert info.value.__cause__ is None


@pytest.mark.parametrize(
    "name", ["hostile_xxe.xml", "hostile_parameter_entity.xml", "hostile_billion_laughs.xml"]
)
def test_entity_declarations_are_refused(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(BadPayload, match="entities or external references") as info:
        parse_order_status(fixture(name), po_number="PO-1001")

    assert time.monotonic() - started < 1.0
    assert "root:" not in str(info.value)
    with pytest.raises(BadPayload):
        parse_invoices(fixture(name), po_number="PO-1001")


def test_html_error_page_is_named_as_such() -> None:
    with pytest.raises(BadPayload, match="HTML page"):
        parse_order_status(fixture("hostile_html_page.xml"), po_number="PO-1")


@pytest.mark.parametrize(
    "page",
    [
        b"\n  <html><body>Login</body></html>",
        b'<?xml version="1.0"?>\n<!-- portal --><html xmlns="http://www.w3.org/1999/xhtml"/>',
    ],
)
def test_html_without_doctype_is_named_as_such(page: bytes) -> None:
    with pytest.raises(BadPayload, match="HTML page"):
        parse_invoices(page, po_number="PO-1")


def test_truncated_xml_is_not_well_formed() -> None:
    with pytest.raises(BadPayload, match="not well-formed"):
        parse_order_status(fixture("hostile_truncated.xml"), po_number="PO-1001")


def test_deeply_nested_document_is_refused_early() -> None:
    depth = 100_000
    body = b"<SynnexB2B>" + b"<a>" * depth + b"</a>" * depth + b"</SynnexB2B>"
    started = time.monotonic()
    with pytest.raises(BadPayload, match="nested more than"):
        parse_order_status(body, po_number="PO-1")
    assert time.monotonic() - started < 2.0


def test_invalid_utf8_is_refused() -> None:
    body = fixture("status_sample.xml").replace(b"HD DOME CAMERA", b"HD DOME \xff\xfe CAMERA", 1)
    with pytest.raises(BadPayload, match="not valid UTF-8"):
        parse_order_status(body, po_number="PO-1001")


def test_declared_latin1_is_honoured() -> None:
    body = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><SynnexB2B><OrderStatusResponse>'
        b"<PONumber>PO-1</PONumber><Code>accepted</Code><Reason>Caf\xe9</Reason>"
        b"</OrderStatusResponse></SynnexB2B>"
    )
    assert parse_order_status(body, po_number="PO-1").reason == "Café"


def test_oversized_body_is_refused_before_parsing() -> None:
    body = b"<SynnexB2B>" + b" " * 2_000 + b"</SynnexB2B>"
    with pytest.raises(BadPayload, match="over the 1,000-byte limit"):
        parse_order_status(body, po_number="PO-1", max_bytes=1_000)


@pytest.mark.parametrize("body", [b"", b"   \n", b"not xml at all", b"\x00\x01\x02"])
def test_empty_and_garbage_bodies(body: bytes) -> None:
    with pytest.raises(BadPayload):
        parse_order_status(body, po_number="PO-1")


def test_answer_without_po_or_code_is_bad_payload() -> None:
    with pytest.raises(BadPayload, match="names no PO number"):
        parse_order_status(b"<SynnexB2B><OrderStatusResponse/></SynnexB2B>")
    with pytest.raises(BadPayload, match="neither a status code nor items"):
        parse_order_status(b"<SynnexB2B><OrderStatusResponse/></SynnexB2B>", po_number="PO-1")
