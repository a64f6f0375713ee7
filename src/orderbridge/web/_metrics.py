"""``GET /healthz`` (no auth) and ``GET /metrics`` (Prometheus text format, token unless public).

Metric names follow Prometheus conventions (``orderbridge_`` prefix, ``_total`` counters,
``_seconds`` units). Values come from the store, so every process serving the dashboard reports
the same figures whichever process ran the cycles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from orderbridge.ports import RunRow

from ._auth import NeedsLogin, services_of, signed_in
from ._services import WebServices

__all__ = ["render_metrics", "router"]

router = APIRouter(include_in_schema=False)
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


def _requests(totals: Mapping[str, int]) -> list[str]:
    """Split the activity log's counter names ("autotask", "autotask retries", faults)."""
    lines = []
    for name, count in sorted(totals.items()):
        service, _, rest = name.partition(" ")
        if not rest:
            outcome = "sent"
        elif rest == "retries":
            outcome = "retried"
        else:
            outcome = "fault: " + rest.removeprefix("faults: ")
        lines.append(
            f'orderbridge_requests_total{{service="{_label(service)}",'
            f'outcome="{_label(outcome)}"}} {count}'
        )
    return lines


def _histogram(runs: Sequence[RunRow]) -> list[str]:
    durations = [r.duration_s for r in runs if r.duration_s is not None]
    lines = [
        f'orderbridge_cycle_duration_seconds_bucket{{le="{bound:g}"}} '
        f"{sum(1 for d in durations if d <= bound)}"
        for bound in DURATION_BUCKETS
    ]
    lines.append(f'orderbridge_cycle_duration_seconds_bucket{{le="+Inf"}} {len(durations)}')
    lines.append(f"orderbridge_cycle_duration_seconds_sum {sum(durations):.3f}")
    lines.append(f"orderbridge_cycle_duration_seconds_count {len(durations)}")
    return lines


def render_metrics(
    by_status: Mapping[str, int],
    request_totals: Mapping[str, int],
    recent_runs: Sequence[RunRow],
    notifications: Mapping[str, int],
    run_outcomes: Mapping[str, int],
    budget_used: int,
) -> str:
    """The Prometheus exposition text."""
    lines: list[str] = []
    lines += _family(
        "orderbridge_runs_total",
        "counter",
        "Sync runs in the activity log by outcome.",
        (
            f'orderbridge_runs_total{{outcome="{_label(k)}"}} {v}'
            for k, v in sorted(run_outcomes.items())
        ),
    )
    lines += _family(
        "orderbridge_orders",
        "gauge",
        "Tracked (unarchived) orders by status.",
        (f'orderbridge_orders{{status="{_label(k)}"}} {v}' for k, v in sorted(by_status.items())),
    )
    lines += _family(
        "orderbridge_requests_total",
        "counter",
        "Upstream requests over every run by service and outcome.",
        _requests(request_totals),
    )
    lines += _family(
        "orderbridge_autotask_budget_used",
        "gauge",
        "Autotask requests made by runs started in the current hour.",
        [f"orderbridge_autotask_budget_used {budget_used}"],
    )
    lines += _family(
        "orderbridge_notifications_total",
        "counter",
        "Notifications by outcome.",
        (
            f'orderbridge_notifications_total{{outcome="{_label(k)}"}} {v}'
            for k, v in sorted(notifications.items())
        ),
    )
    lines += _family(
        "orderbridge_cycle_duration_seconds",
        "histogram",
        "Duration of the sync runs finished in the last 24 hours.",
        _histogram(recent_runs),
    )
    return "\n".join(lines) + "\n"


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """Process up and store reachable (no login: for load balancers and systemd)."""
    try:
        await anyio.to_thread.run_sync(services_of(request).queries.ping)
    except Exception as exc:  # any store failure means unhealthy, said in words
        return JSONResponse({"status": "unhealthy", "store": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "store": "reachable"})


@router.get("/metrics")
async def metrics(request: Request) -> PlainTextResponse:
    """Prometheus metrics; needs a token or session unless ``[web] public_metrics = true``."""
    services = services_of(request)
    if not services.settings.web.public_metrics:
        try:
            await signed_in(request)
        except NeedsLogin:
            return PlainTextResponse(
                "metrics need Authorization: Bearer TOKEN (orderbridge tokens create)\n",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    queries = services.queries

    def collect() -> str:
        by_status, totals, runs, notes = queries.metrics_inputs()
        overview_runs = [r for r in runs if r.started_at >= _hour(services)]
        return render_metrics(
            by_status,
            totals,
            runs,
            notes,
            queries.run_outcomes(),
            sum(r.requests.get("autotask", 0) for r in overview_runs),
        )

    text = await anyio.to_thread.run_sync(collect)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")


def _hour(services: WebServices) -> datetime:
    return services.clock().replace(minute=0, second=0, microsecond=0)
