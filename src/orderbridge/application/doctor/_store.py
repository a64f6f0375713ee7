"""Doctor's store checks: the store itself, per-order problems and the activity log.

Nothing here calls an upstream. Per-order problems come from the reports and last known states
of recent runs: a PO number's newest report says what the last check of it found, even when the
newest run was a one-order ``resync`` or a run that TD SYNNEX refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio

from orderbridge.domain.history import OrderReport
from orderbridge.domain.lifecycle import OrderState, OrderStatus
from orderbridge.ports import FieldQuirk, RunRecord, StoredOrder

from ._findings import Check, Outcome, listed, not_checked
from ._ports import DoctorStore

__all__ = ["FIX_FIELD_QUIRKS", "ORDER_CHECK_NAMES", "StoreChecks", "StoreEvidence"]

WRITE_PROBE_KEY = "doctor.write_probe"
RECENT_RUNS = 10
RUNS_FOR_SUCCESS = 50
SUCCESS_WINDOW = timedelta(hours=24)
ORDER_CHECK_NAMES = (
    "POs without a PO number",
    "POs TD SYNNEX does not know",
    "TD SYNNEX order number mismatches",
    "shipped without tracking",
    "fields Autotask does not keep",
    "last sync run",
)
_FAILED_OUTCOMES = frozenset({"failed", "refused", "interrupted"})
_SHIPPED = frozenset({OrderStatus.SHIPPED.value, OrderStatus.PARTIALLY_SHIPPED.value})
# sync.order_number_warnings names the Autotask field in every warning it writes.
_ORDER_NUMBER_WARNING = "externalponumber"


@dataclass(frozen=True)
class StoreChecks:
    """The store's own check and the per-order checks read from it."""

    store: DoctorStore
    clock: Callable[[], datetime]
    po_number_field: str = "purchaseOrderNumber"
    tenant: str = "default"

    async def store_check(self) -> tuple[Check, bool]:
        """The store opens, is at the schema this version expects, and takes a write; ready?"""
        store, tenant = self.store, self.tenant

        def probe() -> tuple[str, str]:
            version, head = store.schema_version(), store.head_version()
            if version == head:
                store.set_setting(tenant, WRITE_PROBE_KEY, self.clock().isoformat())
                store.delete_setting(tenant, WRITE_PROBE_KEY)
            return version, head

        try:
            version, head = await anyio.to_thread.run_sync(probe)
        except Exception as exc:  # the store raises its own error type, which we may not name
            return (
                Check(
                    "store",
                    Outcome.FAIL,
                    str(exc),
                    "Check store.url and that orderbridge may create and write the database "
                    "file and its directory.",
                ),
                False,
            )
        return _schema_check(version, head), version == head

    async def order_checks(self, *, store_ready: bool = True) -> list[Check]:
        """Per-order problems and the last run, all read from the store (once it is ready)."""
        if not store_ready:
            return [not_checked(name, "the store is not ready") for name in ORDER_CHECK_NAMES]
        try:
            evidence = await anyio.to_thread.run_sync(StoreEvidence.read, self.store, self.tenant)
        except Exception as exc:  # the store's own error type
            reason = f"the store could not be read: {exc}"
            return [not_checked(name, reason) for name in ORDER_CHECK_NAMES]
        fallbacks = evidence.fallback_numbers()
        return [
            missing_number_check(fallbacks, self.po_number_field),
            not_found_check(evidence, set(fallbacks)),
            order_number_check(evidence),
            tracking_check(evidence),
            quirk_check(evidence.quirks),
            last_run_check(evidence.runs, self.clock()),
        ]


def _schema_check(version: str, head: str) -> Check:
    if version == head:
        return Check("store", Outcome.PASS, f"writable, schema {head} (current)")
    if version == "base":
        return Check(
            "store",
            Outcome.WARN,
            "the store has not been created yet",
            "Run orderbridge sync --once; it creates the store on its first start.",
        )
    return Check(
        "store",
        Outcome.WARN,
        f"schema {version}, but this version of orderbridge expects {head}",
        "Run orderbridge sync --once; it upgrades the store schema before it syncs.",
    )


@dataclass
class StoreEvidence:
    """What recent runs recorded: newest report per PO, newest checked report, states, runs."""

    runs: Sequence[RunRecord]
    latest: dict[str, OrderReport] = field(default_factory=dict)
    checked: dict[str, OrderReport] = field(default_factory=dict)
    states: Mapping[str, StoredOrder] = field(default_factory=dict)
    quirks: Sequence[FieldQuirk] = ()

    @classmethod
    def read(cls, store: DoctorStore, tenant: str) -> StoreEvidence:
        """Read the recent runs, their per-order reports and the states they name."""
        evidence = cls(runs=list(store.runs(tenant, RUNS_FOR_SUCCESS)))
        finished = [r for r in evidence.runs if r.outcome != "running"][:RECENT_RUNS]
        for summary in finished:  # newest first, so the first report seen is the newest
            run = store.run(summary.id)
            for report in run.orders if run is not None else ():
                evidence.latest.setdefault(report.po_number, report)
                if report.status:
                    evidence.checked.setdefault(report.po_number, report)
        evidence.states = store.load_states(tenant, sorted(evidence.latest))
        evidence.quirks = store.field_quirks(tenant)
        return evidence

    def fallback_numbers(self) -> list[str]:
        """PO numbers that are really PO ids: the configured number field was empty."""
        found = {
            number
            for number, report in self.latest.items()
            if report.po_id is not None and number == str(report.po_id)
        }
        found.update(n for n, s in self.states.items() if s.po_id is not None and n == str(s.po_id))
        return sorted(found)


def missing_number_check(fallbacks: Sequence[str], po_number_field: str) -> Check:
    """POs whose configured PO-number field is empty, so their id was sent instead."""
    name = ORDER_CHECK_NAMES[0]
    if po_number_field == "id":
        return Check(name, Outcome.PASS, "PO ids are sent as PO numbers (autotask.po_number_field)")
    if not fallbacks:
        return Check(name, Outcome.PASS, f"every checked PO has a {po_number_field}")
    return Check(
        name,
        Outcome.WARN,
        f"{_pos(len(fallbacks), 'has', 'have')} an empty {po_number_field}, so "
        f"{'its' if len(fallbacks) == 1 else 'their'} PO id was sent to TD SYNNEX instead "
        f"({'PO id' if len(fallbacks) == 1 else 'PO ids'} {listed(fallbacks)})",
        f"Fill in {po_number_field} on these POs in Autotask, or set autotask.po_number_field "
        "to the field that holds the number sent to TD SYNNEX.",
    )


def not_found_check(evidence: StoreEvidence, fallbacks: set[str]) -> Check:
    """POs whose last known TD SYNNEX status is Not found."""
    name = ORDER_CHECK_NAMES[1]
    numbers = sorted(
        n
        for n, s in evidence.states.items()
        if s.status == OrderStatus.NOT_FOUND.value and n not in fallbacks
    )
    if not numbers:
        return Check(name, Outcome.PASS, "TD SYNNEX knows every checked PO")
    return Check(
        name,
        Outcome.WARN,
        f"TD SYNNEX does not know {_pos(len(numbers))}: {listed(numbers)}",
        "Verify the order was submitted to TD SYNNEX and that the PO number field mapping is "
        "right.",
    )


def order_number_check(evidence: StoreEvidence) -> Check:
    """POs whose recorded TD SYNNEX order number (externalPONumber) TD SYNNEX does not report."""
    name = ORDER_CHECK_NAMES[2]
    numbers = sorted(
        n
        for n, report in evidence.checked.items()
        if any(_ORDER_NUMBER_WARNING in w.lower() for w in report.warnings)
    )
    if not numbers:
        return Check(name, Outcome.PASS, "no recorded TD SYNNEX order number disagrees")
    return Check(
        name,
        Outcome.WARN,
        f"{_pos(len(numbers), 'records', 'record')} a TD SYNNEX order number (externalPONumber) "
        f"that TD SYNNEX does not report for {'it' if len(numbers) == 1 else 'them'}: "
        f"{listed(numbers)}",
        "Correct or clear externalPONumber on these POs in Autotask; orderbridge keeps the "
        "numbers TD SYNNEX reports in the PO memo.",
    )


def _pos(count: int, verb_one: str = "", verb_many: str = "") -> str:
    """``1 PO has`` / ``3 POs have`` (just ``1 PO`` / ``3 POs`` without verbs)."""
    noun, verb = ("PO", verb_one) if count == 1 else ("POs", verb_many)
    return f"{count} {noun} {verb}".rstrip()


def _lacks_tracking(state: StoredOrder) -> bool:
    try:
        shipments = OrderState.from_json(state.state).shipments
    except (KeyError, TypeError, ValueError):
        return False  # a state this version cannot read says nothing about tracking
    return not any(s.tracking_number for s in shipments)


def tracking_check(evidence: StoreEvidence) -> Check:
    """Shipped orders for which TD SYNNEX has given no tracking number yet."""
    name = ORDER_CHECK_NAMES[3]
    numbers = sorted(
        n for n, s in evidence.states.items() if s.status in _SHIPPED and _lacks_tracking(s)
    )
    if not numbers:
        return Check(name, Outcome.PASS, "every shipped order has tracking")
    return Check(
        name,
        Outcome.WARN,
        f"{len(numbers)} shipped {'order has' if len(numbers) == 1 else 'orders have'} no "
        f"tracking number yet: {listed(numbers)}",
        "If tracking is still missing a day after shipping, ask your TD SYNNEX account team for "
        "the tracking numbers of these orders.",
    )


# Also shown beside the quirks on the dashboard overview.
FIX_FIELD_QUIRKS = (
    "Autotask keeps something other than what orderbridge writes, so orderbridge stopped writing "
    "these fields: check the API user's security level can edit them (vendor invoice fields are "
    "a common case), set [autotask] timezone when dates read back a day off, or turn the field "
    "off under [mapping]. Then run orderbridge resync PO to try again."
)


def quirk_check(quirks: Sequence[FieldQuirk]) -> Check:
    """Fields the tenant did not keep as written (orderbridge stopped writing them)."""
    name = ORDER_CHECK_NAMES[4]
    if not quirks:
        return Check(name, Outcome.PASS, "every field orderbridge writes reads back as written")
    detail = "; ".join(
        f"{q.field} (wrote {q.wanted!r} to {q.record}, Autotask reads {q.found!r})" for q in quirks
    )
    return Check(name, Outcome.WARN, detail, FIX_FIELD_QUIRKS)


def _failed(run: RunRecord) -> bool:
    """A run that stopped, or in which every order it checked failed."""
    if run.outcome in _FAILED_OUTCOMES:
        return True
    return run.failed > 0 and run.updated + run.unchanged == 0


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _describe(run: RunRecord) -> str:
    return f"run {run.id} at {_when(run.finished_at or run.started_at)} ({run.outcome})"


def last_run_check(runs: Sequence[RunRecord], now: datetime) -> Check:
    """The last successful run and the last error; warn when the last failed or none in 24 h."""
    name = ORDER_CHECK_NAMES[5]
    finished = [r for r in runs if r.outcome != "running"]
    if not finished:
        return Check(
            name,
            Outcome.WARN,
            "no sync run has been recorded yet",
            "Run orderbridge sync --once to check every monitored order now.",
        )
    last = finished[0]
    success = next((r for r in finished if not _failed(r)), None)
    error = next((r for r in finished if r.error or r.failed), None)
    parts = [f"last successful: {_describe(success) if success else 'none recorded'}"]
    if error is not None:
        parts.append(f"last error: {_describe(error)}: {error.error or f'{error.failed} failed'}")
    detail = "; ".join(parts)
    if _failed(last):
        return Check(
            name,
            Outcome.WARN,
            f"the last run failed: {_describe(last)}; {detail}",
            "Fix the cause shown in orderbridge log (the checks above usually name it), then run "
            "orderbridge sync --once.",
        )
    finished_at = success.finished_at if success is not None else None
    if finished_at is None or now - finished_at > SUCCESS_WINDOW:
        return Check(
            name,
            Outcome.WARN,
            f"no run succeeded in the last 24 hours; {detail}",
            "Make sure orderbridge's scheduler is running, or run orderbridge sync --once.",
        )
    return Check(name, Outcome.PASS, detail)
