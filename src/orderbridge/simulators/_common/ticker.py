"""Move a running TD SYNNEX simulator's orders along on a timer, over its own admin API.

``orderbridge simulate tdsynnex --advance-every 30s`` and ``orderbridge sandbox`` use it so that a
running ``orderbridge run`` keeps finding something new. It goes through ``POST /_sim/advance``
like any other client, so the simulator's state is only ever changed on the server's own loop.
"""

from __future__ import annotations

import re
import threading
import urllib.request

from orderbridge._serving import Running

__all__ = ["LifecycleTicker", "parse_period"]

_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}


def parse_period(text: str) -> float:
    """Seconds from ``30s``, ``2m``, ``1h`` or a bare number of seconds; ValueError otherwise."""
    found = _PERIOD.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a period such as 30s, 2m or 1h")
    seconds = float(found.group(1)) * _SECONDS[(found.group(2) or "s").lower()]
    if seconds < 1:
        raise ValueError(f"{text!r} is shorter than one second")
    return seconds


class LifecycleTicker(Running):
    """Every ``period_s`` seconds, ask the simulator at ``base_url`` to advance every order."""

    def __init__(self, base_url: str, period_s: float) -> None:
        self.url = f"{base_url.rstrip('/')}/_sim/advance"
        self.period_s = period_s
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lifecycle-ticker", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            # The URL is the simulator's own http:// base, never user-supplied.
            request = urllib.request.Request(self.url, data=b"", method="POST")  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    response.read()
                self.ticks += 1
            except OSError:
                continue  # the server is stopping, or busy: the next tick tries again

    def start(self) -> None:
        """Start ticking in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop ticking and wait for the thread."""
        self._stop.set()
        self._thread.join(timeout=5)
