"""``orderbridge report delivery``: delivery performance from the history already kept."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Option types only (pure domain enums); the rest is imported when the command runs.
from orderbridge.domain.delivery import Dimension, ReportFormat

from ._common import (
    EXIT_CONFIG,
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    existing_store_or_exit,
    fail,
)
from ._common import settings_or_exit as _settings

app = typer.Typer(help="Reports from the history orderbridge keeps.", no_args_is_help=True)


@app.command("delivery")
def delivery(
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Only orders first seen on or after this date (YYYY-MM-DD, UTC)."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Only orders first seen before this date (YYYY-MM-DD)."),
    ] = None,
    by: Annotated[Dimension, typer.Option("--by", help="How to group.")] = Dimension.MONTH,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="text, json, csv or html.")
    ] = ReportFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here instead of standard output.", dir_okay=False
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Lead times, on-time rates, ETA slips, backorders, partial shipments, invoices, freight."""
    from orderbridge.application.delivery_html import render_html
    from orderbridge.application.delivery_report import (
        build_delivery_report,
        render_csv,
        render_json,
        render_text,
    )
    from orderbridge.ports import StoreUnavailable

    from ._records import output_stream, parse_moment, records_of

    settings = _settings(config)
    existing_store_or_exit(settings, config)
    start = None if since is None else parse_moment(since, "--since")
    end = None if until is None else parse_moment(until, "--until")
    if start is not None and end is not None and end <= start:
        fail(["--until must be after --since"], EXIT_CONFIG)
    with records_of(settings) as records:
        try:
            report = build_delivery_report(
                records, by, tenant=settings.tenant, since=start, until=end
            )
        except StoreUnavailable as exc:
            fail([f"store error: {exc}"], EXIT_ORDERS_FAILED)
    window = {
        "since": None if start is None else start.date().isoformat(),
        "until": None if end is None else end.date().isoformat(),
    }
    described = f"Orders first seen {window['since'] or 'any time'} to {window['until'] or 'now'}"
    title = "TD SYNNEX delivery performance"
    with output_stream(output) as out:
        if fmt is ReportFormat.JSON:
            render_json(report, out, window)
        elif fmt is ReportFormat.CSV:
            render_csv(report, out)
        elif fmt is ReportFormat.HTML:
            out.write(render_html(report, title, described))
        else:
            render_text(report, out, f"{title} by {by} — {described}")
    if output is not None:
        console.print(f"Report written to {output}.", highlight=False)
