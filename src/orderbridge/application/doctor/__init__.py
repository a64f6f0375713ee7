"""``orderbridge doctor``: check the setup end to end and say, per finding, what to fix.

Build a ``Doctor`` from its ``UpstreamChecks`` (Autotask and TD SYNNEX) and ``StoreChecks``
(the store and what recent runs recorded), then ``await doctor.run()``::

    doctor = Doctor(
        upstream=UpstreamChecks(autotask=access, distributor=tdsynnex, scope=resolve_scope),
        store=StoreChecks(store, clock=utc_now),
    )
    checks = await doctor.run()
    exit_code = 1 if has_failures(checks) else 0
"""

from ._carriers import CARRIER_CHECK_NAMES, CarrierDoctor
from ._dashboard import DASHBOARD_CHECK_NAME, dashboard_link_check
from ._doctor import Doctor
from ._findings import Check, Outcome, has_failures
from ._notifications import channel_checks, delivery_check
from ._ports import AutotaskSetup, DoctorStore
from ._store import FIX_FIELD_QUIRKS, StoreChecks
from ._upstream import PROBE_PO_NUMBER, UpstreamChecks
from ._workers import WORKERS_CHECK_NAME, WorkerHealth, workers_check

__all__ = [
    "CARRIER_CHECK_NAMES",
    "DASHBOARD_CHECK_NAME",
    "FIX_FIELD_QUIRKS",
    "PROBE_PO_NUMBER",
    "WORKERS_CHECK_NAME",
    "AutotaskSetup",
    "CarrierDoctor",
    "Check",
    "Doctor",
    "DoctorStore",
    "Outcome",
    "StoreChecks",
    "UpstreamChecks",
    "WorkerHealth",
    "channel_checks",
    "dashboard_link_check",
    "delivery_check",
    "has_failures",
    "workers_check",
]
