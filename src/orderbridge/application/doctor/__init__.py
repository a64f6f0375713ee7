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

from ._doctor import Doctor
from ._findings import Check, Outcome, has_failures
from ._ports import AutotaskSetup, DoctorStore
from ._store import StoreChecks
from ._upstream import PROBE_PO_NUMBER, UpstreamChecks

__all__ = [
    "PROBE_PO_NUMBER",
    "AutotaskSetup",
    "Check",
    "Doctor",
    "DoctorStore",
    "Outcome",
    "StoreChecks",
    "UpstreamChecks",
    "has_failures",
]
