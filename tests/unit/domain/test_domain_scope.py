"""Status scope: parsing, the Autotask statuses to query, the recent window, active exclusions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.scope import (
    DEFAULT_MONITORED_STATUSES,
    FINISHED_AUTOTASK_STATUSES,
    ScopeKind,
    StatusScope,
)
from orderbridge.settings import AutotaskSettings

NOW = datetime(2024, 5, 15, 10, 7, tzinfo=UTC)
DONE = {OrderStatus.CLOSED, OrderStatus.CANCELLED, OrderStatus.REJECTED}


@pytest.mark.parametrize(
    ("text", "kind", "days", "describe"),
    [
        ("all", ScopeKind.ALL, None, "all orders sent to TD SYNNEX"),
        ("All Orders", ScopeKind.ALL, None, "all orders sent to TD SYNNEX"),
        ("active", ScopeKind.ACTIVE, None, "active orders (not yet closed, cancelled or rejected)"),
        ("recent", ScopeKind.RECENT, 30, "orders submitted in the last 30 days"),
        ("recent:60", ScopeKind.RECENT, 60, "orders submitted in the last 60 days"),
        ("Recent:90", ScopeKind.RECENT, 90, "orders submitted in the last 90 days"),
        ("recent: 45 days", ScopeKind.RECENT, 45, "orders submitted in the last 45 days"),
        ("recent 7d", ScopeKind.RECENT, 7, "orders submitted in the last 7 days"),
    ],
)
def test_parse_accepts_each_form(
    text: str, kind: ScopeKind, days: int | None, describe: str
) -> None:
    scope = StatusScope.parse(text)
    assert (scope.kind, scope.days) == (kind, days)
    assert scope.describe().startswith(describe)
    assert StatusScope.parse(scope.text) == scope


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("everything", "is not a status scope; use all, active, recent"),
        ("", "is not a status scope"),
        ("recent:", "is not a status scope"),
        ("recent:0", "recent:0 is out of range; the window is 1 to 3650 days"),
        ("recent:3651", "out of range"),
        ("recent:-5", "whole number of days"),
        ("recent:1.5", "whole number of days"),
        ("recent:many", "whole number of days"),
    ],
)
def test_parse_rejects_bad_text_clearly(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        StatusScope.parse(text)


def test_constructor_validates_days() -> None:
    assert StatusScope(ScopeKind.RECENT).days == 30
    with pytest.raises(ValueError, match="only the recent scope"):
        StatusScope(ScopeKind.ALL, 30)
    with pytest.raises(ValueError, match="out of range"):
        StatusScope(ScopeKind.RECENT, 0)


def test_autotask_statuses_per_scope() -> None:
    assert StatusScope.parse("active").autotask_statuses() == ("Submitted", "Received Partial")
    everything = ("Submitted", "Received Partial", "Received Full", "Canceled")
    assert StatusScope.parse("all").autotask_statuses() == everything
    assert StatusScope.parse("recent:60").autotask_statuses() == everything


def test_autotask_statuses_use_the_configured_labels_and_never_new() -> None:
    active = StatusScope.parse("active")
    assert active.autotask_statuses(["Submitted", "new", " submitted "]) == ("Submitted",)
    tenant = StatusScope.parse("all").autotask_statuses(
        ["Sent"], finished_statuses=["Received In Full", "Cancelled"]
    )
    assert tenant == ("Sent", "Received In Full", "Cancelled")
    with pytest.raises(ValueError, match="other than New"):
        active.autotask_statuses(["New"])


def test_submitted_since_only_limits_recent() -> None:
    assert StatusScope.parse("recent:60").submitted_since(NOW) == NOW - timedelta(days=60)
    assert StatusScope.parse("all").submitted_since(NOW) is None
    assert StatusScope.parse("active").submitted_since(NOW) is None
    with pytest.raises(ValueError, match="timezone-aware"):
        StatusScope.parse("recent").submitted_since(datetime(2024, 5, 15))


def test_active_excludes_finished_orders_but_keeps_not_found() -> None:
    active = StatusScope.parse("active")
    assert active.excludes(OrderStatus.CLOSED)  # delivered and invoiced
    assert active.excludes(OrderStatus.CANCELLED)
    assert not active.excludes(OrderStatus.DELIVERED)  # an invoice often follows delivery
    assert not active.excludes(OrderStatus.NOT_FOUND)  # may be a PO-number mapping problem
    assert not active.excludes(OrderStatus.INVOICED)  # invoiced, not yet delivered
    assert not active.excludes(None)  # never checked yet
    assert not StatusScope.parse("all").excludes(OrderStatus.DELIVERED)
    assert not StatusScope.parse("recent").excludes(OrderStatus.CLOSED)


# --- properties -------------------------------------------------------------------------------

labels = st.sampled_from(["Submitted", "Received Partial", "New", "NEW", "submitted", "On Order"])
scopes = st.one_of(
    st.sampled_from([StatusScope(ScopeKind.ALL), StatusScope(ScopeKind.ACTIVE)]),
    st.builds(StatusScope, st.just(ScopeKind.RECENT), st.integers(1, 3650)),
)


@given(
    days=st.integers(1, 3650), spelling=st.sampled_from(["recent:{}", "recent {}d", "RECENT:{}"])
)
def test_recent_window_round_trips(days: int, spelling: str) -> None:
    scope = StatusScope.parse(spelling.format(days))
    assert scope == StatusScope(ScopeKind.RECENT, days)
    assert StatusScope.parse(scope.text) == scope
    assert f"{days} days" in scope.describe()


@given(days=st.one_of(st.integers(max_value=0), st.integers(min_value=3651)))
def test_recent_window_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="recent"):
        StatusScope.parse(f"recent:{days}")


@given(scope=scopes, monitored=st.lists(labels, min_size=1, max_size=6))
def test_autotask_statuses_are_unique_never_new_and_cover_the_monitored_ones(
    scope: StatusScope, monitored: list[str]
) -> None:
    wanted = {m.casefold() for m in monitored} - {"new"}
    if not wanted:
        with pytest.raises(ValueError, match="New"):
            scope.autotask_statuses(monitored)
        return
    statuses = scope.autotask_statuses(monitored)
    folded = [s.casefold() for s in statuses]
    assert len(folded) == len(set(folded))
    assert "new" not in folded
    assert wanted <= set(folded)
    finished = {f.casefold() for f in FINISHED_AUTOTASK_STATUSES}
    if scope.kind is ScopeKind.ACTIVE:
        assert set(folded) == wanted
    else:
        assert set(folded) == wanted | finished


@given(scope=scopes, status=st.none() | st.sampled_from(OrderStatus))
def test_only_active_excludes_and_only_finished_orders(
    scope: StatusScope, status: OrderStatus | None
) -> None:
    assert scope.excludes(status) == (scope.kind is ScopeKind.ACTIVE and status in DONE)


@given(
    scope=scopes,
    now=st.datetimes(datetime(2000, 1, 1), datetime(2036, 1, 1), timezones=st.just(UTC)),
)
def test_submitted_since_is_the_window_before_now(scope: StatusScope, now: datetime) -> None:
    since = scope.submitted_since(now)
    if scope.kind is ScopeKind.RECENT:
        assert since is not None
        assert now - since == timedelta(days=scope.days or 0)
        assert since.tzinfo is not None
    else:
        assert since is None


def test_default_monitored_statuses_match_the_settings_default() -> None:
    assert tuple(AutotaskSettings().monitored_statuses) == DEFAULT_MONITORED_STATUSES
