"""Serve a simulator's ASGI app on a real loopback socket, in a background thread.

Tests, the demo and the benchmarks all talk to the simulators over real HTTP; this is the one
place that starts such a server. ``port=0`` picks a free ephemeral port; ``url`` tells which.
"""

from __future__ import annotations

from orderbridge._serving import BackgroundServer

__all__ = ["SimulatorServer"]


class SimulatorServer(BackgroundServer):
    """Run a simulator with uvicorn on ``host:port`` until the context exits.

    Example::

        with SimulatorServer(app) as server:
            httpx2.get(f"{server.url}/_sim/counters")
    """

    what = "simulator"
