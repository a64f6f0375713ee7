"""Smoke test: ``bench/notifications.py --quick`` routes, queues and delivers every event.

Timings are not asserted (they depend on the machine); what is asserted is that every event
was delivered, none failed, errors collapsed by cause and the digest was one e-mail.
"""

from __future__ import annotations

import pytest

from tests.integration.bench_runs import result_of, run_quick

pytestmark = pytest.mark.slow


def test_quick_run_delivers_every_event_and_collapses_errors() -> None:
    figures = result_of(run_quick("notifications.py", timeout_s=300))
    assert figures["events"] == 100
    assert figures["outbox_rows"] == 200  # two rules, one row per event and channel
    assert figures["immediate_sent_rows"] == figures["digest_sent_rows"] == 100
    assert figures["failed"] == 0
    errors = figures["event_kinds"]["Problem"]
    assert figures["collapsed_error_messages"] == 3  # three causes
    assert figures["immediate_messages"] == 100 - errors + 3
    assert figures["digest_messages"] == 1
    assert figures["digest_lines"][0] > 100
    for timing in ("route_s", "queue_s", "deliver_immediate_s", "deliver_digest_s"):
        assert figures[timing] >= 0
