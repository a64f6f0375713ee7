"""The two ways an answer is parsed (ADR 0053) agree, and only the guarded one sees declarations."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, tostring

import pytest

from orderbridge.adapters.tdsynnex import BadPayload, _xml
from orderbridge.adapters.tdsynnex._xml import DEFAULT_MAX_DEPTH, read_document

FIXTURES = Path(__file__).parents[3] / "fixtures" / "tdsynnex"
PLAIN = sorted(
    path.name
    for path in FIXTURES.glob("*.xml")
    if not path.name.startswith("hostile") and b"<!" not in path.read_bytes()
)


def _shape(root: Element) -> bytes:
    return bytes(tostring(root, encoding="utf-8"))


def test_there_are_plain_fixtures_to_compare() -> None:
    assert len(PLAIN) >= 3


@pytest.mark.parametrize("name", PLAIN)
def test_the_fast_path_builds_the_tree_the_guarded_path_builds(name: str) -> None:
    raw = (FIXTURES / name).read_bytes()
    guarded = _xml._parse_bounded(raw, DEFAULT_MAX_DEPTH, None)
    assert _shape(read_document(raw)) == _shape(guarded)


def test_a_plain_body_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> Element:
        raise AssertionError("the guarded path was used")

    monkeypatch.setattr(_xml, "_parse_bounded", refuse)
    root = read_document(b"<SynnexB2B><PONumber>PO-1 &amp; &#65;</PONumber></SynnexB2B>")
    assert _xml.child_text(root, "PONumber") == "PO-1 & A"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE r><SynnexB2B/>',
        b"<SynnexB2B><!-- a comment --></SynnexB2B>",
        b"<SynnexB2B><![CDATA[x]]></SynnexB2B>",
        b'<?xml version="1.0" encoding="ISO-8859-1"?><SynnexB2B>Caf\xe9</SynnexB2B>',
    ],
)
def test_declarations_comments_and_other_encodings_take_the_guarded_path(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[bytes] = []
    guarded = _xml._parse_bounded

    def spy(raw: bytes, max_depth: int, po_number: str | None) -> Element:
        used.append(raw)
        return guarded(raw, max_depth, po_number)

    monkeypatch.setattr(_xml, "_parse_bounded", spy)
    assert _xml.local_name(read_document(body).tag) == "synnexb2b"
    assert used == [body]


def test_entities_in_another_encoding_are_refused_by_the_guarded_path() -> None:
    body = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        b"<SynnexB2B>&a;</SynnexB2B>"
    )
    with pytest.raises(BadPayload, match="entities or external references"):
        read_document(body)


def test_utf16_never_reaches_a_parser() -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        "<SynnexB2B>&a;</SynnexB2B>"
    ).encode("utf-16")
    with pytest.raises(BadPayload, match="not valid UTF-8"):
        read_document(body)


def test_an_undeclared_entity_is_not_well_formed_on_the_fast_path() -> None:
    with pytest.raises(BadPayload, match="not well-formed"):
        read_document(b"<SynnexB2B>&lol;</SynnexB2B>")


def test_depth_is_checked_on_the_fast_path_too() -> None:
    body = b"<a>" * 40 + b"</a>" * 40
    with pytest.raises(BadPayload, match="nested more than 32"):
        read_document(body)
    assert _xml.local_name(read_document(b"<a>" * 32 + b"</a>" * 32).tag) == "a"


@pytest.mark.parametrize("body", [b"<SynnexB2B>", b"<a></b>", b"<a/><b/>", b"text"])
def test_broken_bodies_read_as_on_the_guarded_path(body: bytes) -> None:
    with pytest.raises(BadPayload) as fast:
        read_document(body)
    with pytest.raises(BadPayload) as guarded:
        _xml._parse_bounded(body, DEFAULT_MAX_DEPTH, None)
    assert str(fast.value) == str(guarded.value)
