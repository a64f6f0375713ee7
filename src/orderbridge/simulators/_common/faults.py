"""Fault injection rules shared by both simulators.

A rule matches requests by endpoint name (an ``fnmatch`` pattern such as ``PurchaseOrders`` or
``*``) and HTTP method, and fires either with a probability or for the next N matching requests.
Latency rules add delay and let the request go on; every other kind answers in place of the app.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["FaultDecision", "FaultInjector", "FaultKind", "FaultRule"]


class FaultKind(StrEnum):
    """What an injected fault does to a request."""

    LATENCY = "latency"
    HTTP_429 = "http_429"
    HTTP_500 = "http_500"
    HTTP_503 = "http_503"
    DROP = "drop"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"


@dataclass
class FaultRule:
    """One fault-injection rule, as posted to ``/_sim/faults``."""

    kind: FaultKind
    endpoint: str = "*"
    method: str = "*"
    probability: float = 1.0
    remaining: int | None = None
    latency_ms: int = 200
    timeout_s: float = 30.0
    retry_after: int | None = None
    id: int = 0
    fired: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        """Build a rule from admin-API JSON, raising ``ValueError`` with a readable message."""
        unknown = set(data) - {
            "kind",
            "endpoint",
            "method",
            "probability",
            "count",
            "remaining",
            "latency_ms",
            "timeout_s",
            "retry_after",
        }
        if unknown:
            raise ValueError(f"unknown fault rule keys: {sorted(unknown)}")
        try:
            kind = FaultKind(str(data["kind"]))
        except (KeyError, ValueError):
            kinds = ", ".join(k.value for k in FaultKind)
            raise ValueError(f"fault 'kind' must be one of: {kinds}") from None
        probability = float(data.get("probability", 1.0))
        if not 0.0 <= probability <= 1.0:
            raise ValueError("fault 'probability' must be between 0 and 1")
        count = data.get("count", data.get("remaining"))
        remaining = None if count is None else int(count)
        if remaining is not None and remaining < 1:
            raise ValueError("fault 'count' must be at least 1")
        retry_after = data.get("retry_after")
        return cls(
            kind=kind,
            endpoint=str(data.get("endpoint", "*")),
            method=str(data.get("method", "*")).upper(),
            probability=probability,
            remaining=remaining,
            latency_ms=int(data.get("latency_ms", 200)),
            timeout_s=float(data.get("timeout_s", 30.0)),
            retry_after=None if retry_after is None else int(retry_after),
        )

    def matches(self, endpoint: str, method: str) -> bool:
        """Whether this rule applies to a request on ``endpoint`` with ``method``."""
        if self.method not in ("*", method.upper()):
            return False
        return fnmatchcase(endpoint.lower(), self.endpoint.lower())

    def to_json(self) -> dict[str, Any]:
        """The rule as admin-API JSON."""
        out = asdict(self)
        out["kind"] = self.kind.value
        return out


@dataclass
class FaultDecision:
    """What the middleware should do with one request."""

    delay_s: float = 0.0
    rule: FaultRule | None = None
    fired: list[FaultRule] = field(default_factory=list)


class FaultInjector:
    """Thread-safe set of fault rules with a seedable random source."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._random = random.Random(seed)

    def seed(self, seed: int | None) -> None:
        """Reseed the random source, for reproducible fault runs."""
        with self._lock:
            self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        """Register a rule and return it with its id."""
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def remove(self, rule_id: int) -> bool:
        """Drop one rule; returns whether it existed."""
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        """Drop every rule."""
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        """A snapshot of the active rules."""
        with self._lock:
            return list(self._rules)

    def decide(self, endpoint: str, method: str) -> FaultDecision:
        """Roll the dice for one request: accumulated latency plus at most one answering fault."""
        decision = FaultDecision()
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(endpoint, method):
                    continue
                if rule.kind is not FaultKind.LATENCY and decision.rule is not None:
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                decision.fired.append(rule)
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                if rule.kind is FaultKind.LATENCY:
                    decision.delay_s += rule.latency_ms / 1000.0
                else:
                    decision.rule = rule
        return decision
