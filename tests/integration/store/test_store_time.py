"""Property: any aware datetime, in any UTC offset, comes back as the same instant in UTC."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore

_po_numbers = itertools.count()

aware_datetimes = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=UTC).astimezone(
        timezone(timedelta(minutes=minutes))
    ),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(moment=aware_datetimes)
def test_any_offset_round_trips_as_utc(store: SqlStore, moment: datetime) -> None:
    po = f"PO-{next(_po_numbers)}"
    store.save_order(
        DEFAULT_TENANT,
        po,
        po_id=None,
        status="Shipped",
        state={},
        fingerprint="fp",
        history=[],
        checked_at=moment,
    )
    run_id = store.start_run(DEFAULT_TENANT, moment)
    loaded = store.load_state(DEFAULT_TENANT, po)
    run = store.run(run_id)
    assert loaded is not None
    assert run is not None
    for value in (loaded.checked_at, loaded.first_seen_at, run.started_at):
        assert value == moment
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
