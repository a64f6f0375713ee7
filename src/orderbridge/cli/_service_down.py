"""A service that is down, said once per run: which service, which URL, what was tried, what to
check. The orders it failed stay in the activity log (``orderbridge log --run N``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orderbridge.application.sync import OrderResult
    from orderbridge.domain.history import RunReport
    from orderbridge.settings import Settings

__all__ = ["down_services", "explain_stop"]

SERVICE_NAMES = {"autotask": "Autotask", "tdsynnex": "TD SYNNEX"}


def down_services(results: list[OrderResult]) -> dict[str, list[OrderResult]]:
    """The orders each unreachable service failed, by service name.

    A service counts as down when it failed orders as unreachable and no order got through; one
    order's temporary error while the others sync is that order's problem, shown as such.
    """
    from orderbridge.domain.history import OrderOutcome
    from orderbridge.ports import UpstreamUnavailable

    through = (OrderOutcome.UPDATED, OrderOutcome.UNCHANGED)
    if any(result.report.outcome in through for result in results):
        return {}
    down: dict[str, list[OrderResult]] = {}
    for result in results:
        if isinstance(result.failure, UpstreamUnavailable):
            down.setdefault(result.failure.service, []).append(result)
    return down


def explain_stop(settings: Settings, report: RunReport, results: list[OrderResult]) -> list[str]:
    """One line per unreachable service, and one for a run that stopped early."""
    from orderbridge.bootstrap import upstream_urls
    from orderbridge.domain.history import RunOutcome

    urls = upstream_urls(settings)
    retry = settings.retry
    tried = f"each request was tried {retry.attempts} times within {retry.total_timeout_s:g} s"
    lines = []
    for service, failed in down_services(results).items():
        name = SERVICE_NAMES.get(service, service)
        lines.append(
            f"{name} could not be reached at {urls.get(service, '?')}: {len(failed)} of "
            f"{report.checked} orders failed ({_reason(failed[0])}); {tried}. "
            f"Check that this machine reaches that address (DNS, firewall, proxy"
            f"{', the IP allow-list' if service == 'tdsynnex' else ''}) and the service's "
            "status page; orderbridge doctor tests both connections, and orderbridge log lists "
            "the orders."
        )
    if report.outcome is RunOutcome.FAILED and report.error:
        lines.append(
            f"The run stopped before checking orders: {report.error}. Autotask was asked at "
            f"{urls['autotask']}; {tried}. Check that this machine reaches that address "
            "(DNS, firewall, proxy); orderbridge doctor tests both connections."
        )
    elif report.error:
        lines.append(f"The run stopped: {report.error}")
    return lines


def _reason(result: OrderResult) -> str:
    message = str(getattr(result.failure, "message", None) or result.failure)
    message = message.removeprefix(f"PO {result.report.po_number}: ")
    return message if len(message) <= 120 else f"{message[:119]}…"
