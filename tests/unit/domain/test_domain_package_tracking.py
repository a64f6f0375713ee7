"""Package tracking in the domain: the schedule, folding answers into state, news and memo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from orderbridge.domain.carrier_facts import (
    CarrierFacts,
    apply_carrier_facts,
    carrier_details,
    carrier_news,
)
from orderbridge.domain.events import CarrierException
from orderbridge.domain.lifecycle import LineState, LineStatus, OrderState, Shipment
from orderbridge.domain.notices import EventKind, notice_for
from orderbridge.domain.package_tracking import (
    Dimensions,
    PackageStatus,
    PackageTracking,
    TrackingProblem,
    Weight,
)
from orderbridge.domain.tracking_schedule import TrackingPolicy, due_packages

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CARRIERS = ("UPS", "FedEx")


def tracked(status: PackageStatus, checked: datetime, **extra: object) -> PackageTracking:
    return PackageTracking(
        carrier="UPS",
        tracking_number="1Z1",
        status=status,
        checked_at=checked,
        **extra,  # type: ignore[arg-type]
    )


def order(*shipments: Shipment, po: str = "PO-1") -> OrderState:
    line = LineState(key="line:1", status=LineStatus.SHIPPED, shipments=shipments)
    return OrderState(po_number=po, status=LineStatus.SHIPPED, first_seen=NOW, lines=(line,))


def shipment(number: str = "1Z1", carrier: str = "UPS", **extra: object) -> Shipment:
    values: dict[str, object] = {"ship_date": NOW - timedelta(days=1), **extra}
    return Shipment(carrier=carrier, tracking_number=number, **values)  # type: ignore[arg-type]


def numbers(states: list[OrderState], now: datetime = NOW, **kwargs: object) -> list[str]:
    due = due_packages(states, now=now, carriers=CARRIERS, **kwargs)  # type: ignore[arg-type]
    return [d.tracking_number for d in due]


class TestSchedule:
    def test_a_never_tracked_shipped_package_is_due(self) -> None:
        assert numbers([order(shipment())]) == ["1Z1"]

    def test_nothing_before_the_ship_date(self) -> None:
        assert numbers([order(shipment(ship_date=NOW + timedelta(hours=2)))]) == []
        assert numbers([order(shipment(ship_date=None))]) == []

    def test_delivered_and_returned_are_final(self) -> None:
        delivered = shipment(delivered_on=date(2026, 12, 1))
        returned = shipment(
            "1Z2", tracking=tracked(PackageStatus.RETURNED, NOW - timedelta(days=3))
        )
        assert numbers([order(delivered, returned)], force=True) == []

    def test_a_carrier_without_a_tracker_is_not_asked(self) -> None:
        assert numbers([order(shipment(carrier="DHL"))]) == []

    def test_in_transit_waits_hours_but_the_delivery_day_is_hourly(self) -> None:
        policy = TrackingPolicy()
        recent = NOW - timedelta(hours=2)
        in_transit = shipment(tracking=tracked(PackageStatus.IN_TRANSIT, recent))
        due_today = shipment(
            "1Z2",
            tracking=tracked(PackageStatus.IN_TRANSIT, recent, estimated_delivery=NOW.date()),
        )
        assert numbers([order(in_transit, due_today)], policy=policy) == ["1Z2"]
        later = NOW + policy.in_transit
        assert numbers([order(in_transit, due_today)], now=later) == ["1Z2", "1Z1"]

    def test_a_resync_ignores_the_intervals(self) -> None:
        fresh = shipment(tracking=tracked(PackageStatus.IN_TRANSIT, NOW - timedelta(minutes=1)))
        assert numbers([order(fresh)]) == []
        assert numbers([order(fresh)], force=True) == ["1Z1"]

    def test_each_number_once_and_most_urgent_first(self) -> None:
        old = shipment("1Z9", tracking=tracked(PackageStatus.IN_TRANSIT, NOW - timedelta(days=1)))
        out = shipment(
            "1Z8", tracking=tracked(PackageStatus.OUT_FOR_DELIVERY, NOW - timedelta(hours=2))
        )
        states = [order(old, out), order(shipment("1Z9"), po="PO-2")]
        assert numbers(states) == ["1Z8", "1Z9"]

    def test_gives_up_on_very_old_shipments(self) -> None:
        ancient = shipment(ship_date=NOW - timedelta(days=90))
        assert numbers([order(ancient)]) == []


class TestFacts:
    def test_a_fresh_answer_lands_on_the_shipment_and_is_remembered(self) -> None:
        answer = tracked(
            PackageStatus.DELIVERED,
            NOW,
            delivered_at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
            signed_by="J SMITH",
            weight=Weight(Decimal("12.5"), "LB"),
            dimensions=Dimensions(Decimal(16), Decimal(12), Decimal(8), "IN"),
        )
        facts = CarrierFacts({"1z 1": answer})
        assert facts.deliveries() == {"1Z1": date(2026, 12, 1)}
        first = apply_carrier_facts(order(shipment()), None, facts)
        assert first.shipments[0].tracking == answer
        again = apply_carrier_facts(order(shipment()), first, CarrierFacts())
        assert again.shipments[0].tracking == answer
        roundtrip = OrderState.from_json(again.to_json())
        assert roundtrip == again

    def test_delivered_is_not_undone_by_a_later_odd_answer(self) -> None:
        delivered = tracked(PackageStatus.DELIVERED, NOW - timedelta(hours=5))
        before = apply_carrier_facts(order(shipment()), None, CarrierFacts({"1Z1": delivered}))
        odd = TrackingProblem("UPS", "1Z1", NOW, "TW0001 Tracking Information Not Found")
        after = apply_carrier_facts(order(shipment()), before, CarrierFacts({"1Z1": odd}))
        assert after.shipments[0].tracking is not None
        assert after.shipments[0].tracking.status is PackageStatus.DELIVERED

    def test_an_untracked_state_keeps_its_fingerprint(self) -> None:
        state = order(shipment())
        assert apply_carrier_facts(state, None, CarrierFacts()).fingerprint() == state.fingerprint()
        assert "tracking" not in state.to_json()["lines"][0]["shipments"][0]


class TestNews:
    def test_exception_is_news_once_and_delivered_after_it_is_news_again(self) -> None:
        trouble = tracked(
            PackageStatus.EXCEPTION,
            NOW,
            event_at=NOW - timedelta(hours=1),
            problem="ADDRESS INCOMPLETE",
        )
        first = apply_carrier_facts(order(shipment()), None, CarrierFacts({"1Z1": trouble}))
        news = carrier_news(first, None)
        assert [n.problem for n in news] == ["delivery exception: ADDRESS INCOMPLETE"]
        assert carrier_news(first, first) == []
        done = tracked(
            PackageStatus.DELIVERED, NOW, delivered_at=NOW - timedelta(minutes=5), signed_by="A"
        )
        second = apply_carrier_facts(order(shipment()), first, CarrierFacts({"1Z1": done}))
        later = carrier_news(second, first)
        assert len(later) == 1
        assert later[0].problem is None
        assert "confirmed delivery" in later[0].summary

    def test_memo_phrases(self) -> None:
        at = datetime(2026, 12, 1, 14, 5, tzinfo=UTC).astimezone(timezone(timedelta(hours=-5)))
        phrases = carrier_details(
            tracked(PackageStatus.DELIVERED, NOW, delivered_at=at, signed_by="J", location="Dock")
        )
        assert phrases == [
            "UPS confirmed delivery 2026-12-01 09:05 UTC-05:00",
            "signed by J",
            "Dock",
        ]
        assert carrier_details(tracked(PackageStatus.RETURNED, NOW, problem="refused"))[:2] == [
            "UPS: returned to sender",
            "refused",
        ]


class TestCarrierEta:
    def test_a_shipped_line_takes_the_latest_carrier_eta_of_its_open_packages(self) -> None:
        soon, later = date(2026, 12, 3), date(2026, 12, 4)
        facts = CarrierFacts(
            {
                "1Z1": tracked(PackageStatus.IN_TRANSIT, NOW, estimated_delivery=soon),
                "1Z2": tracked(PackageStatus.IN_TRANSIT, NOW, estimated_delivery=later),
            }
        )
        state = order(shipment("1Z1"), shipment("1Z2"))
        updated = apply_carrier_facts(state, None, facts)
        assert updated.lines[0].estimated_delivery == later
        assert updated.expected_delivery == later

    def test_no_carrier_eta_for_every_open_package_keeps_td_synnex_estimate(self) -> None:
        facts = CarrierFacts(
            {"1Z1": tracked(PackageStatus.IN_TRANSIT, NOW, estimated_delivery=date(2026, 12, 3))}
        )
        state = order(shipment("1Z1"), shipment("1Z2"))
        updated = apply_carrier_facts(state, None, facts)
        assert updated.lines[0].estimated_delivery is None
        assert updated.expected_delivery is None


def test_a_carrier_exception_is_an_error_notice_grouped_by_its_cause() -> None:
    event = CarrierException(
        "PO-1", "PO-1:carrier:1Z1:exception:x", "UPS", "1Z1", "delivery exception: NO ACCESS", NOW
    )
    notice = notice_for(event)
    assert notice.kind is EventKind.ERROR
    assert notice.key == event.key
    assert notice.cause == "UPS: delivery exception: NO ACCESS"
    assert "1Z1" in notice.lines[0]
