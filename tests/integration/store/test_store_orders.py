"""Last-known order state and status history: round trips, dedup, archiving, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore, StoreError
from orderbridge.domain.history import HistoryEntry, HistorySource

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _entry(
    po: str, key: str, to_status: str, at: datetime, from_status: str | None = None
) -> HistoryEntry:
    return HistoryEntry(
        po_number=po,
        at=at,
        from_status=from_status,
        to_status=to_status,
        source=HistorySource.TDSYNNEX,
        summary=f"{from_status} -> {to_status}",
        key=key,
    )


def _save(
    store: SqlStore,
    po: str,
    status: str,
    at: datetime,
    history: list[HistoryEntry] | None = None,
    tenant: str = DEFAULT_TENANT,
) -> int:
    return store.save_order(
        tenant,
        po,
        po_id=1000 + len(po),
        status=status,
        state={"status": status, "lines": [{"n": 1, "eta": at.isoformat()}]},
        fingerprint=f"fp-{po}-{status}",
        history=history or [],
        checked_at=at,
    )


def test_save_then_load_round_trips_every_field(store: SqlStore) -> None:
    new = _save(store, "PO-1", "Processing", T0, [_entry("PO-1", "k1", "Processing", T0)])
    loaded = store.load_state(DEFAULT_TENANT, "PO-1")
    assert new == 1
    assert loaded is not None
    assert (loaded.tenant, loaded.po_number, loaded.po_id, loaded.status) == (
        DEFAULT_TENANT,
        "PO-1",
        1004,
        "Processing",
    )
    assert loaded.state == {"status": "Processing", "lines": [{"n": 1, "eta": T0.isoformat()}]}
    assert loaded.fingerprint == "fp-PO-1-Processing"
    assert loaded.first_seen_at == loaded.updated_at == loaded.checked_at == T0
    assert loaded.archived is False
    assert store.load_state(DEFAULT_TENANT, "PO-404") is None


def test_second_save_replaces_state_and_keeps_first_seen(store: SqlStore) -> None:
    later = T0 + timedelta(hours=5)
    _save(store, "PO-1", "Processing", T0)
    _save(store, "PO-1", "Shipped", later)
    loaded = store.load_state(DEFAULT_TENANT, "PO-1")
    assert loaded is not None
    assert (loaded.status, loaded.fingerprint) == ("Shipped", "fp-PO-1-Shipped")
    assert loaded.first_seen_at == T0
    assert loaded.updated_at == loaded.checked_at == later


def test_duplicate_history_keys_are_ignored_and_counted_out(store: SqlStore) -> None:
    first = [_entry("PO-1", "k1", "Received", T0), _entry("PO-1", "k2", "Processing", T0)]
    replay = [*first, _entry("PO-1", "k3", "Shipped", T0 + timedelta(days=1), "Processing")]
    assert _save(store, "PO-1", "Processing", T0, first) == 2
    assert _save(store, "PO-1", "Shipped", T0, replay) == 1
    assert _save(store, "PO-1", "Shipped", T0, replay) == 0
    assert [entry.key for entry in store.history(DEFAULT_TENANT, "PO-1")] == ["k1", "k2", "k3"]


def test_same_key_on_another_po_or_tenant_is_a_new_entry(store: SqlStore) -> None:
    assert _save(store, "PO-1", "Received", T0, [_entry("PO-1", "k1", "Received", T0)]) == 1
    assert _save(store, "PO-2", "Received", T0, [_entry("PO-2", "k1", "Received", T0)]) == 1
    other = _save(store, "PO-1", "Received", T0, [_entry("PO-1", "k1", "Received", T0)], "acme")
    assert other == 1
    assert store.load_state("acme", "PO-2") is None
    assert len(store.history("acme", "PO-1")) == 1


def test_history_is_oldest_first_and_limit_keeps_the_newest(store: SqlStore) -> None:
    entries = [_entry("PO-1", f"k{i}", f"S{i}", T0 + timedelta(hours=i)) for i in (3, 1, 2, 0)]
    _save(store, "PO-1", "S3", T0, entries)
    history = store.history(DEFAULT_TENANT, "PO-1")
    assert [entry.key for entry in history] == ["k0", "k1", "k2", "k3"]
    assert history[0] == _entry("PO-1", "k0", "S0", T0)
    assert [entry.key for entry in store.history(DEFAULT_TENANT, "PO-1", limit=2)] == ["k2", "k3"]


def test_recent_history_gives_each_po_its_newest_entries(store: SqlStore) -> None:
    for po, count in (("PO-A", 5), ("PO-B", 2)):
        entries = [_entry(po, f"k{i}", f"S{i}", T0 + timedelta(minutes=i)) for i in range(count)]
        _save(store, po, "S", T0, entries)
    recent = store.recent_history(DEFAULT_TENANT, ["PO-A", "PO-B", "PO-C"], per_order=3)
    assert {po: [entry.key for entry in entries] for po, entries in recent.items()} == {
        "PO-A": ["k2", "k3", "k4"],
        "PO-B": ["k0", "k1"],
        "PO-C": [],
    }


def test_touch_checked_moves_only_checked_at(store: SqlStore) -> None:
    _save(store, "PO-1", "Processing", T0)
    _save(store, "PO-2", "Processing", T0)
    later = T0 + timedelta(minutes=30)
    store.touch_checked(DEFAULT_TENANT, ["PO-1", "PO-404"], later)
    states = store.load_states(DEFAULT_TENANT, ["PO-1", "PO-2", "PO-404"])
    assert set(states) == {"PO-1", "PO-2"}
    assert (states["PO-1"].checked_at, states["PO-1"].updated_at) == (later, T0)
    assert states["PO-2"].checked_at == T0


def test_remember_written_leaves_the_row_as_a_save_of_the_same_state(store: SqlStore) -> None:
    later = T0 + timedelta(minutes=30)
    for po in ("PO-1", "PO-2"):
        _save(store, po, "Processing", T0)
    # PO-1 the long way: the same state saved again with new remembered writes.
    store.save_order(
        DEFAULT_TENANT,
        "PO-1",
        po_id=1004,
        status="Processing",
        state={"status": "Processing", "lines": [{"n": 1, "eta": T0.isoformat()}]},
        fingerprint="fp-PO-1-Processing",
        history=[],
        checked_at=later,
        written={"seen": "abc"},
    )
    # PO-2 through the batched path (and an unknown PO, which is ignored).
    store.remember_written(
        DEFAULT_TENANT, [("PO-2", 1004, {"seen": "abc"}), ("PO-404", 1, {"x": "y"})], later
    )
    states = store.load_states(DEFAULT_TENANT, ["PO-1", "PO-2", "PO-404"])
    assert set(states) == {"PO-1", "PO-2"}
    long_way, batched = states["PO-1"], states["PO-2"]
    assert batched.written == {"seen": "abc"}
    assert (batched.po_id, batched.status, batched.state, batched.archived) == (
        long_way.po_id,
        long_way.status,
        long_way.state,
        long_way.archived,
    )
    assert (batched.first_seen_at, batched.updated_at, batched.checked_at) == (T0, later, later)
    assert (long_way.first_seen_at, long_way.updated_at, long_way.checked_at) == (T0, later, later)


def test_orders_filters_searches_and_limits(store: SqlStore) -> None:
    for index, (po, status) in enumerate(
        [
            ("PO-100", "Shipped"),
            ("PO-101", "Processing"),
            ("X_%-7", "Shipped"),
            ("PO-102", "Shipped"),
        ]
    ):
        _save(store, po, status, T0 + timedelta(minutes=index))
    assert [o.po_number for o in store.orders(DEFAULT_TENANT)] == [
        "PO-102",
        "X_%-7",
        "PO-101",
        "PO-100",
    ]
    shipped = store.orders(DEFAULT_TENANT, status="shipped", limit=2)
    assert [o.po_number for o in shipped] == ["PO-102", "X_%-7"]
    assert [o.po_number for o in store.orders(DEFAULT_TENANT, search="po-10")] == [
        "PO-102",
        "PO-101",
        "PO-100",
    ]
    # LIKE wildcards in the search text are matched literally.
    assert [o.po_number for o in store.orders(DEFAULT_TENANT, search="_%")] == ["X_%-7"]
    assert store.orders("another-tenant") == []


def test_archive_marks_old_closed_orders_and_keeps_history(store: SqlStore) -> None:
    cutoff = T0 + timedelta(days=30)
    _save(store, "PO-OLD", "Closed", T0, [_entry("PO-OLD", "k1", "Closed", T0)])
    _save(store, "PO-CXL", "Cancelled", T0)
    _save(store, "PO-NEW", "Closed", cutoff + timedelta(days=1))
    _save(store, "PO-OPEN", "Shipped", T0)
    assert store.archive_orders(DEFAULT_TENANT, cutoff, now=cutoff) == 2
    assert store.archive_orders(DEFAULT_TENANT, cutoff, now=cutoff) == 0
    assert {o.po_number for o in store.orders(DEFAULT_TENANT)} == {"PO-NEW", "PO-OPEN"}
    archived = {
        o.po_number for o in store.orders(DEFAULT_TENANT, include_archived=True) if o.archived
    }
    assert archived == {"PO-OLD", "PO-CXL"}
    assert [e.key for e in store.history(DEFAULT_TENANT, "PO-OLD")] == ["k1"]
    # An archived order that changes again is active again.
    _save(store, "PO-OLD", "Shipped", cutoff)
    reloaded = store.load_state(DEFAULT_TENANT, "PO-OLD")
    assert reloaded is not None
    assert reloaded.archived is False


def test_archive_statuses_are_configurable(store: SqlStore) -> None:
    _save(store, "PO-1", "Rejected", T0)
    _save(store, "PO-2", "Closed", T0)
    later = T0 + timedelta(days=1)
    assert store.archive_orders(DEFAULT_TENANT, later, statuses=["REJECTED"]) == 1
    assert [o.po_number for o in store.orders(DEFAULT_TENANT)] == ["PO-2"]


def test_failed_save_leaves_nothing_half_written(store: SqlStore) -> None:
    _save(store, "PO-1", "Processing", T0, [_entry("PO-1", "k1", "Processing", T0)])
    later = T0 + timedelta(hours=1)
    # The second entry breaks a CHECK constraint after the upsert already ran.
    broken = [_entry("PO-1", "k2", "Shipped", later), _entry("PO-1", "", "Delivered", later)]
    with pytest.raises(StoreError, match="saving order PO-1 failed"):
        _save(store, "PO-1", "Delivered", later, broken)
    kept = store.load_state(DEFAULT_TENANT, "PO-1")
    assert kept is not None
    assert (kept.status, kept.updated_at) == ("Processing", T0)
    assert [e.key for e in store.history(DEFAULT_TENANT, "PO-1")] == ["k1"]
    with pytest.raises(StoreError):
        _save(store, "PO-2", "Shipped", later, [_entry("PO-2", "k1", "", later)])
    assert store.load_state(DEFAULT_TENANT, "PO-2") is None


def test_history_for_another_po_is_refused(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="PO-2"):
        _save(store, "PO-1", "Shipped", T0, [_entry("PO-2", "k1", "Shipped", T0)])
    assert store.load_state(DEFAULT_TENANT, "PO-1") is None


def test_datetimes_come_back_aware_utc_whatever_zone_went_in(store: SqlStore) -> None:
    sydney = timezone(timedelta(hours=11))
    local = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=sydney)
    _save(store, "PO-1", "Shipped", local, [_entry("PO-1", "k1", "Shipped", local)])
    loaded = store.load_state(DEFAULT_TENANT, "PO-1")
    assert loaded is not None
    assert loaded.checked_at == local
    assert loaded.checked_at.utcoffset() == timedelta(0)
    assert loaded.checked_at.hour == 22
    [entry] = store.history(DEFAULT_TENANT, "PO-1")
    assert entry.at == local
    assert entry.at.tzinfo is not None
    assert entry.at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_rejected(store: SqlStore) -> None:
    naive = datetime(2026, 3, 2, 9, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        _save(store, "PO-1", "Shipped", naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        _save(store, "PO-1", "Shipped", T0, [_entry("PO-1", "k1", "Shipped", naive)])
    with pytest.raises(ValueError, match="timezone-aware"):
        store.touch_checked(DEFAULT_TENANT, ["PO-1"], naive)
    assert store.load_state(DEFAULT_TENANT, "PO-1") is None
