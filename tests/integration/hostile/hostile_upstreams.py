"""Both simulators behind interceptors, with a small scenario, for the hostile-input tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.scenario import Scenario, builtin_scenario
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator
from tests.integration.hostile.hostile_interceptor import Interceptor, Request
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, pinned_now

__all__ = [
    "HOSTILE_PO",
    "OTHER_POS",
    "HostileUpstreams",
    "autotask_call",
    "hostile_scenario",
    "hostile_upstreams",
    "patch_for",
    "patched_po_ids",
    "tdsynnex_call",
]

HOSTILE_PO = "PO-10011"  # shipped, one line, FedEx tracking: the order that turns hostile
# accepted, processing, backordered, invoiced (two invoices), and the one with user memo text
OTHER_POS = ("PO-10001", "PO-10003", "PO-10007", "PO-10015", "PO-10026")


def hostile_scenario() -> Scenario:
    """The demo scenario cut down to the hostile order and five healthy ones in other states."""
    demo = builtin_scenario("demo")
    wanted = {HOSTILE_PO, *OTHER_POS}
    return demo.model_copy(
        update={"name": "hostile", "orders": [o for o in demo.orders if o.po_number in wanted]}
    )


@dataclass
class HostileUpstreams(SimulatedUpstreams):
    """A simulator pair, each reached through an ``Interceptor`` that tests can turn hostile."""

    autotask_proxy: Interceptor
    tdsynnex_proxy: Interceptor

    def patched(self, po_number: str) -> bool:
        """Whether any PATCH for that PO (or one of its items) reached the Autotask simulator."""
        return self.po(po_number)["id"] in patched_po_ids(self)

    def calm(self) -> None:
        """Both interceptors back to transparent."""
        self.autotask_proxy.clear()
        self.tdsynnex_proxy.clear()


@contextmanager
def hostile_upstreams(
    scenario: Scenario | None = None,
    *,
    autotask_config: AutotaskSimConfig | None = None,
    tdsynnex_config: TdSynnexSimConfig | None = None,
) -> Iterator[HostileUpstreams]:
    """Start both simulators with ``scenario`` loaded, each behind its own interceptor."""
    loaded = scenario or hostile_scenario()
    autotask = AutotaskSimulator(autotask_config or AutotaskSimConfig())
    tdsynnex = TdSynnexSimulator(tdsynnex_config or TdSynnexSimConfig())
    when = pinned_now()
    for sim in (autotask, tdsynnex):
        sim.state.clock.set(when)
        sim.load_scenario(loaded)
    at_proxy, td_proxy = Interceptor(autotask.app), Interceptor(tdsynnex.app)
    with ExitStack() as stack:
        at_server = stack.enter_context(SimulatorServer(at_proxy))
        td_server = stack.enter_context(SimulatorServer(td_proxy))
        yield HostileUpstreams(autotask, tdsynnex, at_server.url, td_server.url, at_proxy, td_proxy)


def tdsynnex_call(po_number: str, endpoint: str = "POStatus") -> Callable[[Request], bool]:
    """Match TD SYNNEX requests to ``endpoint`` (``POStatus``/``invoice``) about ``po_number``."""
    marker = f"<PONumber>{po_number}</PONumber>".encode()

    def match(request: Request) -> bool:
        return endpoint.lower() in request.path.lower() and marker in request.body

    return match


def autotask_call(method: str, path_end: str) -> Callable[[Request], bool]:
    """Match Autotask requests with ``method`` whose path ends with ``path_end``."""

    def match(request: Request) -> bool:
        return request.method == method and request.path.lower().endswith(path_end.lower())

    return match


def patch_for(po_id: int) -> Callable[[Request], bool]:
    """Match Autotask PATCH requests that write PO ``po_id`` or one of its items."""

    def match(request: Request) -> bool:
        if request.method != "PATCH":
            return False
        path = request.path.lower()
        if path.endswith(f"/purchaseorders/{po_id}/items"):
            return True
        return path.endswith("/purchaseorders") and json.loads(request.body).get("id") == po_id

    return match


def patched_po_ids(upstreams: SimulatedUpstreams) -> set[int]:
    """Ids of the POs that PATCH requests reached the Autotask simulator for (PO or item)."""
    found: set[int] = set()
    for record in upstreams.autotask.state.requests(limit=0):
        if record.method != "PATCH":
            continue
        parts = record.path.strip("/").split("/")
        if parts[-1].lower() == "items":
            found.add(int(parts[-2]))
        else:
            found.add(int(json.loads(record.body)["id"]))
    return found
