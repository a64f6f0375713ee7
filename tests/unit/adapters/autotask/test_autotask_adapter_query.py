"""The query builder: JSON shape of every operator, groups, `in` chunking and the OR limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from orderbridge.adapters.autotask import (
    F,
    Filter,
)
from orderbridge.adapters.autotask._errors import QueryTooLarge
from orderbridge.adapters.autotask._query import Condition, Group, count_or_conditions, plan_queries


@pytest.mark.parametrize(
    ("leaf", "expected"),
    [
        (F("id").eq(5), {"op": "eq", "field": "id", "value": 5}),
        (F("status").noteq(2), {"op": "noteq", "field": "status", "value": 2}),
        (F("id").gt(10), {"op": "gt", "field": "id", "value": 10}),
        (F("id").gte(10), {"op": "gte", "field": "id", "value": 10}),
        (F("id").lt(10), {"op": "lt", "field": "id", "value": 10}),
        (F("id").lte(10), {"op": "lte", "field": "id", "value": 10}),
        (F("name").begins_with("TD"), {"op": "beginsWith", "field": "name", "value": "TD"}),
        (F("name").ends_with("Inc"), {"op": "endsWith", "field": "name", "value": "Inc"}),
        (F("name").contains("SYNNEX"), {"op": "contains", "field": "name", "value": "SYNNEX"}),
        (F("externalPONumber").exist(), {"op": "exist", "field": "externalPONumber"}),
        (F("externalPONumber").not_exist(), {"op": "notExist", "field": "externalPONumber"}),
        (F("companyType").in_([1, 3, 7]), {"op": "in", "field": "companyType", "value": [1, 3, 7]}),
        (F("status").not_in([5]), {"op": "notIn", "field": "status", "value": [5]}),
        (F("isActive").eq(True), {"op": "eq", "field": "isActive", "value": True}),
        (
            F("Rank", udf=True).eq("Gold"),
            {"op": "eq", "field": "Rank", "value": "Gold", "udf": True},
        ),
    ],
)
def test_every_operator_has_autotask_json_shape(
    leaf: Condition, expected: dict[str, object]
) -> None:
    assert leaf.to_json() == expected


def test_datetimes_are_sent_as_utc_with_z() -> None:
    eastern = timezone(timedelta(hours=-5))
    leaf = F("submitDateTime").gte(datetime(2025, 1, 1, 7, 0, tzinfo=eastern))
    assert leaf.to_json()["value"] == "2025-01-01T12:00:00Z"


def test_naive_datetime_in_a_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        F("submitDateTime").gte(datetime(2025, 1, 1)).to_json()


def test_groups_nest_and_operators_combine() -> None:
    since = datetime(2025, 1, 1, tzinfo=UTC)
    node = F("vendorID").eq(29683612) & (
        F("status").eq(2) | (F("submitDateTime").gte(since) & F("externalPONumber").exist())
    )
    assert node.to_json() == {
        "op": "and",
        "items": [
            {"op": "eq", "field": "vendorID", "value": 29683612},
            {
                "op": "or",
                "items": [
                    {"op": "eq", "field": "status", "value": 2},
                    {
                        "op": "and",
                        "items": [
                            {
                                "op": "gte",
                                "field": "submitDateTime",
                                "value": "2025-01-01T00:00:00Z",
                            },
                            {"op": "exist", "field": "externalPONumber"},
                        ],
                    },
                ],
            },
        ],
    }
    assert Filter.any_of(F("a").eq(1)).to_json() == {
        "op": "or",
        "items": [{"op": "eq", "field": "a", "value": 1}],
    }


def test_single_value_operators_reject_lists_and_groups_need_items() -> None:
    with pytest.raises(ValueError, match="in_"):
        F("status").eq([1, 2])
    with pytest.raises(ValueError, match="at least one"):
        Group("or", ())
    with pytest.raises(ValueError, match="'and' or 'or'"):
        Group("xor", (F("a").eq(1),))


def test_in_drops_duplicates_keeping_order() -> None:
    assert F("id").in_([3, 1, 3, 2, 1]).to_json()["value"] == [3, 1, 2]


def test_top_level_in_is_split_into_separate_queries_of_at_most_500() -> None:
    ids = list(range(1, 1202))
    planned = plan_queries([F("orderID").in_(ids), F("status").eq(2)])
    assert [len(q[0].to_json()["value"]) for q in planned] == [500, 500, 201]
    joined = [v for q in planned for v in q[0].to_json()["value"]]
    assert joined == ids  # every value once, nothing lost between chunks
    assert all(q[1] == F("status").eq(2) for q in planned)


def test_short_in_is_one_query_unchanged() -> None:
    filters = [F("orderID").in_(range(500))]
    assert plan_queries(filters) == [tuple(filters)]


def test_empty_top_level_in_plans_no_query() -> None:
    assert plan_queries([F("orderID").in_([])]) == []


def test_no_filters_plan_one_query() -> None:
    assert plan_queries([]) == [()]


def test_nested_long_in_becomes_or_of_chunks_and_not_in_and_of_chunks() -> None:
    nested = plan_queries([F("a").eq(1) | F("id").in_(range(700))], max_or=1000)
    assert len(nested) == 1
    group = nested[0][0].to_json()
    inner = group["items"][1]
    assert inner["op"] == "or"
    assert [len(part["value"]) for part in inner["items"]] == [500, 200]

    excluded = plan_queries([F("id").not_in(range(1001))])
    assert len(excluded) == 1
    rewritten = excluded[0][0].to_json()
    assert rewritten["op"] == "and"
    assert [len(part["value"]) for part in rewritten["items"]] == [500, 500, 1]


def test_or_conditions_are_counted_through_nesting() -> None:
    tree = F("a").eq(1) | (F("b").eq(2) & F("c").eq(3)) | F("d").eq(4)
    assert count_or_conditions([tree, F("e").eq(5)]) == 4
    assert count_or_conditions([F("a").eq(1) & F("b").eq(2)]) == 0


def test_more_than_500_or_conditions_are_refused_before_sending() -> None:
    many = Filter.any_of(*(F("id").eq(i) for i in range(501)))
    with pytest.raises(QueryTooLarge, match="501 OR conditions"):
        plan_queries([many])
    exactly = Filter.any_of(*(F("id").eq(i) for i in range(500)))
    assert plan_queries([exactly]) == [(exactly,)]


def test_chunk_size_is_configurable() -> None:
    planned = plan_queries([F("id").in_(range(10))], max_in=4)
    assert [len(q[0].to_json()["value"]) for q in planned] == [4, 4, 2]
