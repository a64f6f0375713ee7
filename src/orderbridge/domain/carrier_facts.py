"""Carrier answers folded into an order's state: delivered date, signer, location, weight.

A package is tracked far less often than its order is checked, so the carrier's last word is
kept on the shipment (``Shipment.tracking``) and carried over from the previous state until a
fresh answer replaces it. A delivered or returned package keeps its final answer for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from orderbridge.domain.lifecycle import LineState, OrderState, Shipment
from orderbridge.domain.line_derivation import tracking_key
from orderbridge.domain.package_tracking import (
    PackageStatus,
    PackageTracking,
    TrackingReply,
)

__all__ = ["NO_FACTS", "CarrierFacts", "apply_carrier_facts", "as_tracking"]


def as_tracking(reply: TrackingReply) -> PackageTracking:
    """A carrier reply as the tracking kept on a shipment (a problem is status unknown)."""
    if isinstance(reply, PackageTracking):
        return reply
    return PackageTracking(
        carrier=reply.carrier,
        tracking_number=reply.tracking_number,
        status=PackageStatus.UNKNOWN,
        checked_at=reply.checked_at,
        problem=reply.message,
    )


class CarrierFacts:
    """The carrier answers one run gathered, by tracking number (compared without spaces/case)."""

    def __init__(self, replies: Mapping[str, TrackingReply] | None = None) -> None:
        self._replies = {tracking_key(k): as_tracking(v) for k, v in (replies or {}).items()}

    def __len__(self) -> int:
        return len(self._replies)

    def get(self, tracking_number: str | None) -> PackageTracking | None:
        """The fresh answer for a number, if this run asked about it."""
        return self._replies.get(tracking_key(tracking_number)) if tracking_number else None

    def deliveries(self) -> dict[str, date]:
        """Carrier-confirmed delivery dates (the carrier's local date) by tracking number."""
        return {
            number: t.delivered_at.date()
            for number, t in self._replies.items()
            if t.status is PackageStatus.DELIVERED and t.delivered_at is not None
        }

    def merged(self, other: CarrierFacts) -> CarrierFacts:
        """These answers with ``other``'s added (``other`` wins on the same number)."""
        merged = CarrierFacts()
        merged._replies = {**self._replies, **other._replies}
        return merged


NO_FACTS = CarrierFacts()


def _remembered(previous: OrderState | None) -> dict[str, PackageTracking]:
    known: dict[str, PackageTracking] = {}
    if previous is not None:
        for s in previous.shipments:
            if s.tracking_number and s.tracking is not None:
                known[tracking_key(s.tracking_number)] = s.tracking
    return known


def _newer(old: PackageTracking | None, new: PackageTracking | None) -> PackageTracking | None:
    if new is None:
        return old
    if old is not None and old.final and not new.final:
        return old  # delivered is final for a package: a later odd answer does not undo it
    if old is not None and new.status is PackageStatus.UNKNOWN and old.status is not new.status:
        # A "not found" after real scans (purged history, carrier hiccup) keeps the scans.
        return replace(old, checked_at=new.checked_at)
    return new


def _shipment(s: Shipment, known: Mapping[str, PackageTracking], facts: CarrierFacts) -> Shipment:
    if not s.tracking_number:
        return s
    tracking = _newer(known.get(tracking_key(s.tracking_number)), facts.get(s.tracking_number))
    if tracking is None or tracking == s.tracking:
        return s
    return replace(s, tracking=tracking)


def _line(line: LineState, known: Mapping[str, PackageTracking], facts: CarrierFacts) -> LineState:
    shipments = tuple(_shipment(s, known, facts) for s in line.shipments)
    return line if shipments == line.shipments else replace(line, shipments=shipments)


def apply_carrier_facts(
    state: OrderState, previous: OrderState | None, facts: CarrierFacts
) -> OrderState:
    """``state`` with each package's latest carrier answer (fresh, else remembered)."""
    known = _remembered(previous)
    if not known and not len(facts):
        return state
    lines = tuple(_line(line, known, facts) for line in state.lines)
    return state if lines == state.lines else replace(state, lines=lines)
