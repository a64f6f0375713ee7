"""``orderbridge doctor``: check the setup end to end and say what to fix.

Exit codes: 0 when no check failed (warnings allowed), 1 when any check failed, 2 when the
configuration itself cannot be loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import anyio
import typer
from rich.markup import escape

from orderbridge.application.doctor import Check, Outcome, has_failures
from orderbridge.bootstrap import doctor_session, utc_now
from orderbridge.bootstrap_notifications import notification_doctor_checks
from orderbridge.ports import StoreUnavailable
from orderbridge.settings import Settings

from ._common import EXIT_ORDERS_FAILED, ConfigOption, console, fail, settings_or_exit

__all__ = ["doctor", "print_checks", "run_doctor"]

_LABEL = {
    Outcome.PASS: "[green]PASS[/]",
    Outcome.WARN: "[yellow]WARN[/]",
    Outcome.FAIL: "[red]FAIL[/]",
}


async def run_doctor(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> list[Check]:
    """Every doctor check for these settings."""
    async with doctor_session(settings, clock=clock) as doctor:
        checks = await doctor.run(settings.credential_problems())
    return checks + await notification_doctor_checks(settings)  # notifications (issue 11)


def print_checks(checks: Sequence[Check]) -> None:
    """One block per check: PASS/WARN/FAIL, name and detail, then the fix (readable uncoloured)."""
    for check in checks:
        console.print(
            f"{_LABEL[check.outcome]}  [bold]{escape(check.name)}[/]: {escape(check.detail)}",
            highlight=False,
            soft_wrap=True,
        )
        if check.fix and check.outcome is not Outcome.PASS:
            console.print(f"      fix: {escape(check.fix)}", highlight=False, soft_wrap=True)
    counts = {o: sum(1 for c in checks if c.outcome is o) for o in Outcome}
    console.print(
        f"{counts[Outcome.PASS]} passed, {counts[Outcome.WARN]} warnings, "
        f"{counts[Outcome.FAIL]} failed",
        highlight=False,
    )


def doctor(config: ConfigOption = None) -> None:
    """Check the configuration, both connections, the store and recent orders; say what to fix."""
    settings = settings_or_exit(config)
    try:
        checks = anyio.run(run_doctor, settings)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"], EXIT_ORDERS_FAILED)
    print_checks(checks)
    if has_failures(checks):
        raise typer.Exit(EXIT_ORDERS_FAILED)
