"""Matching TD SYNNEX lines to Autotask items."""

from __future__ import annotations

from orderbridge.domain.matching import LineIdentity, MatchMethod, match_lines
from tests.unit.domain.domain_builders import item


def ident(
    key: str, number: str | None = None, cust: str | None = None, *parts: str
) -> LineIdentity:
    return LineIdentity(key=key, line_number=number, cust_po_line=cust, part_numbers=parts)


def test_cust_po_line_is_a_position_in_the_po() -> None:
    items = (item(30, "B"), item(10, "A"), item(20, "C"))
    result = match_lines([ident("a", "1", "3", "B")], items)
    assert result.item_ids == {"a": 30}
    assert result.methods == {"a": MatchMethod.CUST_PO_LINE}


def test_cust_po_line_that_is_no_position_is_read_as_an_item_id() -> None:
    result = match_lines([ident("a", None, "20")], (item(10, "A"), item(20, "C")))
    assert result.item_ids == {"a": 20}


def test_line_number_is_the_position_when_items_are_ordered_by_id() -> None:
    items = (item(30, "C"), item(10, "A"), item(20, "B"))
    result = match_lines([ident("x", "2", None, "B"), ident("y", "3", None, "C")], items)
    assert result.item_ids == {"x": 20, "y": 30}
    assert set(result.methods.values()) == {MatchMethod.POSITION}
    assert result.warnings == ()


def test_contradicted_position_falls_back_to_part_number_with_a_warning() -> None:
    items = (item(10, "AAA"), item(20, "BBB"))
    result = match_lines([ident("x", "1", None, "BBB")], items)
    assert result.item_ids == {"x": 20}
    assert result.methods == {"x": MatchMethod.PART_NUMBER}
    assert any("part numbers differ" in w for w in result.warnings)


def test_position_is_trusted_when_one_side_has_no_part_numbers() -> None:
    assert match_lines([ident("x", "1", None, "BBB")], (item(10),)).item_ids == {"x": 10}
    assert match_lines([ident("x", "1")], (item(10, "AAA"),)).item_ids == {"x": 10}


def test_part_number_ignores_case_and_spaces_and_matches_mfg_or_sku() -> None:
    items = (item(10, "zzz"), item(20, "wv sf346"))
    result = match_lines([ident("x", None, None, "WVSF346", "3364043")], items)
    assert result.item_ids == {"x": 20}
    result = match_lines([ident("x", None, None, "nope", "3364043")], (item(5, "3364043"),))
    assert result.item_ids == {"x": 5}


def test_each_item_is_claimed_once_and_lowest_id_wins() -> None:
    items = (item(20, "P"), item(10, "P"))
    result = match_lines([ident("a", None, None, "P"), ident("b", None, None, "P")], items)
    assert result.item_ids == {"a": 10, "b": 20}


def test_unmatched_lines_become_warnings_not_failures() -> None:
    result = match_lines([ident("a", "7", None, "Q1")], (item(10, "P"),))
    assert result.item_ids == {}
    assert result.warnings == ("TD SYNNEX line 7 (Q1) matches no Autotask item",)


def test_matching_is_deterministic_whatever_the_item_order() -> None:
    lines = [ident("a", "1", None, "P"), ident("b", "9", None, "Q"), ident("c", None, "2")]
    one = match_lines(lines, (item(1, "P"), item(2, "Q"), item(3)))
    two = match_lines(lines, (item(3), item(2, "Q"), item(1, "P")))
    assert one == two
    # CustPOLineNo runs first, so line c takes position 2 and line b (Q) is left unmatched.
    assert one.item_ids == {"c": 2, "a": 1}
    assert one.warnings == ("TD SYNNEX line 9 (Q) matches no Autotask item",)
