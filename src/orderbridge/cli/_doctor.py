"""``orderbridge doctor``: check the setup end to end and say what to fix.

Exit codes: 0 when no check failed (warnings allowed), 1 when any check failed, 2 when the
configuration itself cannot be loaded or lacks a credential (one line, no checks run).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import typer

from ._common import (
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    credentials_or_exit,
    fail,
    settings_or_exit,
    start_logging,
)

if TYPE_CHECKING:
    from datetime import datetime

    from orderbridge.application.doctor import Check
    from orderbridge.settings import Settings

__all__ = ["doctor", "print_checks", "run_doctor"]


async def run_doctor(
    settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> list[Check]:
    """Every doctor check for these settings."""
    from orderbridge.bootstrap import doctor_session, utc_now
    from orderbridge.bootstrap_notifications import notification_doctor_checks

    async with doctor_session(settings, clock=clock or utc_now) as doctor:
        checks = await doctor.run(settings.credential_problems())
    return checks + await notification_doctor_checks(settings)


def print_checks(checks: Sequence[Check]) -> None:
    """One block per check: PASS/WARN/FAIL, name and detail, then the fix (readable uncoloured)."""
    from rich.markup import escape

    from orderbridge.application.doctor import Outcome

    label = {
        Outcome.PASS: "[green]PASS[/]",
        Outcome.WARN: "[yellow]WARN[/]",
        Outcome.FAIL: "[red]FAIL[/]",
    }
    for check in checks:
        console.print(
            f"{label[check.outcome]}  [bold]{escape(check.name)}[/]: {escape(check.detail)}",
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
    credentials_or_exit(settings, config)
    start_logging(settings)
    import anyio

    from orderbridge.application.doctor import has_failures
    from orderbridge.ports import StoreUnavailable

    try:
        checks = anyio.run(run_doctor, settings)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"], EXIT_ORDERS_FAILED)
    print_checks(checks)
    if has_failures(checks):
        raise typer.Exit(EXIT_ORDERS_FAILED)
