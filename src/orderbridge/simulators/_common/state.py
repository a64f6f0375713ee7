"""Observable state every simulator shares: clock, faults, request counters and request log."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import SimClock
from .faults import FaultInjector

__all__ = ["RequestRecord", "SimState"]

_LOG_BODY_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as seen by a simulator (a test aid: bodies are kept as sent)."""

    at: datetime
    method: str
    path: str
    query: str
    endpoint: str
    status: int
    body: str
    fault: str | None

    def to_json(self) -> dict[str, Any]:
        """The record as admin-API JSON."""
        return {
            "at": self.at.isoformat(),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "endpoint": self.endpoint,
            "status": self.status,
            "body": self.body,
            "fault": self.fault,
        }


@dataclass
class SimState:
    """Clock, fault rules, counters and a bounded request log for one simulator instance."""

    clock: SimClock = field(default_factory=SimClock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    log_size: int = 2000
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _requests: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)
    _faults_fired: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)
    _log: deque[RequestRecord] = field(default_factory=deque, repr=False)

    def count(self, endpoint: str, method: str) -> None:
        """Count one request on ``endpoint`` with ``method``."""
        with self._lock:
            self._requests[(endpoint, method)] += 1

    def count_fault(self, endpoint: str, kind: str) -> None:
        """Count one injected fault."""
        with self._lock:
            self._faults_fired[(endpoint, kind)] += 1

    def log(self, record: RequestRecord) -> None:
        """Append to the bounded request log."""
        with self._lock:
            self._log.append(record)
            while len(self._log) > self.log_size:
                self._log.popleft()

    @staticmethod
    def clip(body: bytes) -> str:
        """Body text for the request log, clipped."""
        return body[:_LOG_BODY_LIMIT].decode("utf-8", errors="replace")

    def counters(self) -> dict[str, Any]:
        """Request and fault counters as admin-API JSON."""
        with self._lock:
            requests: dict[str, dict[str, int]] = {}
            for (endpoint, method), n in sorted(self._requests.items()):
                requests.setdefault(endpoint, {})[method] = n
            faults: dict[str, dict[str, int]] = {}
            for (endpoint, kind), n in sorted(self._faults_fired.items()):
                faults.setdefault(endpoint, {})[kind] = n
            return {
                "total": sum(self._requests.values()),
                "requests": requests,
                "faults": faults,
                "faults_total": sum(self._faults_fired.values()),
            }

    def requests(self, *, endpoint: str | None = None, limit: int = 200) -> list[RequestRecord]:
        """The most recent requests, oldest first, optionally only for one endpoint."""
        with self._lock:
            records = [r for r in self._log if endpoint is None or r.endpoint == endpoint]
        return records[-limit:] if limit > 0 else records

    def reset_observations(self) -> None:
        """Zero the counters and empty the request log."""
        with self._lock:
            self._requests.clear()
            self._faults_fired.clear()
            self._log.clear()

    def reset(self) -> None:
        """Counters, log, faults and clock back to their initial state."""
        self.reset_observations()
        self.faults.clear()
        self.clock.release()
