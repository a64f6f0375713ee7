"""A doctor finding: what was checked, how it came out, what was found and what to do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Check", "Outcome", "has_failures", "listed", "not_checked"]

MAX_LISTED = 10


class Outcome(StrEnum):
    """How a check came out."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Check:
    """One finding; ``fix`` is one sentence telling the user what to do (empty on a pass)."""

    name: str
    outcome: Outcome
    detail: str
    fix: str = ""


def has_failures(checks: Sequence[Check]) -> bool:
    """Whether any check failed."""
    return any(c.outcome is Outcome.FAIL for c in checks)


def not_checked(name: str, reason: str) -> Check:
    """A check that could not run because an earlier one failed."""
    return Check(
        name,
        Outcome.WARN,
        f"not checked: {reason}",
        "Fix the failing check above, then run orderbridge doctor again.",
    )


def listed(numbers: Sequence[str]) -> str:
    """Up to ten PO numbers, and how many more there are."""
    shown = ", ".join(numbers[:MAX_LISTED])
    more = len(numbers) - MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown
