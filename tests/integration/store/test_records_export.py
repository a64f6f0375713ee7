"""Exports: every kind, CSV and JSON Lines, --since, Excel safety, streaming, the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.adapters.store._tables import NotificationRow
from orderbridge.application.records import ExportFormat, export
from orderbridge.cli import app
from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.records import EXPORT_COLUMNS, ExportKind

from .records_seed import T0, audit, run, save


def _csv(records: RecordsStore, kind: ExportKind, **kwargs: object) -> list[list[str]]:
    out = io.StringIO()
    export(records, kind, ExportFormat.CSV, out, **kwargs)  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(out.getvalue().removeprefix("\ufeff"))))


def test_orders_csv_has_a_header_iso_dates_and_flattened_facts(store: SqlStore) -> None:
    save(store, "PO-1", OrderStatus.CLOSED)
    save(store, "PO-2", OrderStatus.SHIPPED, at=T0 + timedelta(days=1))
    rows = _csv(RecordsStore(store), ExportKind.ORDERS)
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert tuple(header) == EXPORT_COLUMNS[ExportKind.ORDERS]
    assert len(rows) == 3
    assert first["po_number"] == "PO-1"
    assert first["status"] == "Closed"
    assert first["first_seen_at"] == "2026-03-01 08:00:00"
    assert first["delivered_on"] == "2026-03-06"
    assert first["tracking_numbers"] == "1ZPO-1"
    assert first["carriers"] == "UPS"
    assert (first["invoice_total"], first["freight"]) == ("1234.50", "12.25")
    assert first["archived"] == "false"


def test_values_that_would_run_as_formulas_are_neutralised(store: SqlStore) -> None:
    for index, summary in enumerate(["=1+1", "+SUM(A1)", "-2+3", "@cmd", "plain", "\t=x"]):
        save(store, f"PO-{index}", OrderStatus.SHIPPED, summary=summary)
    rows = _csv(RecordsStore(store), ExportKind.HISTORY)
    summaries = [row[EXPORT_COLUMNS[ExportKind.HISTORY].index("summary")] for row in rows[1:]]
    assert sorted(summaries) == sorted(["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "plain", "'\t=x"])


def test_since_limits_every_kind_and_bom_is_optional(store: SqlStore) -> None:
    records = RecordsStore(store)
    save(store, "PO-OLD", OrderStatus.CLOSED, at=T0)
    save(store, "PO-NEW", OrderStatus.SHIPPED, at=T0 + timedelta(days=30))
    run(store, T0)
    run(store, T0 + timedelta(days=30))
    audit(records, T0)
    audit(records, T0 + timedelta(days=30))
    since = T0 + timedelta(days=10)
    for kind in (ExportKind.ORDERS, ExportKind.HISTORY, ExportKind.RUNS, ExportKind.AUDIT):
        assert len(_csv(records, kind)) == 3, kind
        assert len(_csv(records, kind, since=since)) == 2, kind
    out = io.StringIO()
    export(records, ExportKind.RUNS, ExportFormat.CSV, out, bom=True)
    assert out.getvalue().startswith("\ufeffrun_id,started_at")
    assert "autotask=3; tdsynnex=1" in out.getvalue()


def test_jsonl_is_one_object_per_line_with_iso_offsets(store: SqlStore) -> None:
    records = RecordsStore(store)
    save(store, "PO-1", OrderStatus.DELIVERED)
    audit(records, T0)
    out = io.StringIO()
    count = export(records, ExportKind.AUDIT, ExportFormat.JSONL, out)
    lines = out.getvalue().splitlines()
    assert count == len(lines) == 1
    record = json.loads(lines[0])
    assert list(record) == list(EXPORT_COLUMNS[ExportKind.AUDIT])
    assert record["at"] == "2026-03-01T08:00:00+00:00"
    assert record["stuck"] is True
    out = io.StringIO()
    export(records, ExportKind.ORDERS, ExportFormat.JSONL, out)
    order = json.loads(out.getvalue())
    assert order["invoice_total"] == "1234.50"
    assert order["delivered_on"] == "2026-03-06"


def test_export_streams_rows_as_it_reads_them(store: SqlStore) -> None:
    for index in range(30):
        save(store, f"PO-{index:02d}", OrderStatus.SHIPPED, at=T0 + timedelta(minutes=index))
    rows = RecordsStore(store).export_rows(ExportKind.HISTORY, DEFAULT_TENANT)
    first = next(rows)
    # The reader is a live cursor: a row written after the export started is not in it.
    save(store, "PO-LATE", OrderStatus.SHIPPED, at=T0 + timedelta(days=9))
    rest = list(rows)
    assert first["po_number"] == "PO-00"
    assert len(rest) == 29
    assert all(row["po_number"] != "PO-LATE" for row in rest)


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "orderbridge.toml"
    path.write_text(f'[store]\nurl = "{database_url}"\n', encoding="utf-8")
    return path


def test_cli_export_writes_a_file_whole_or_explains(store: SqlStore, config: Path) -> None:
    save(store, "PO-1", OrderStatus.SHIPPED)
    target = config.parent / "orders.csv"
    runner = CliRunner()
    done = runner.invoke(
        app, ["export", "orders", "--format", "csv", "--bom", "-o", str(target), "-c", str(config)]
    )
    assert done.exit_code == 0, done.output
    assert target.read_bytes().startswith(b"\xef\xbb\xbfpo_number,")
    assert not list(config.parent.glob("*.partial"))
    done = runner.invoke(app, ["export", "history", "--format", "jsonl", "-c", str(config)])
    assert done.exit_code == 0
    assert json.loads(done.stdout.splitlines()[0])["po_number"] == "PO-1"
    bad = runner.invoke(app, ["export", "runs", "--since", "last week", "-c", str(config)])
    assert bad.exit_code == 2
    assert "--since" in bad.output
    assert "Traceback" not in bad.output
    nowhere = runner.invoke(
        app, ["export", "runs", "-o", str(config.parent / "no" / "x.csv"), "-c", str(config)]
    )
    assert nowhere.exit_code == 2
    assert "cannot write" in nowhere.output


def test_notifications_export_with_since(store: SqlStore) -> None:
    rows: list[dict[str, object]] = [
        {
            "tenant": DEFAULT_TENANT,
            "po_number": "PO-1",
            "event_key": f"PO-1:shipped:{day}",
            "kind": "shipped",
            "channel": "email",
            "digest": "immediate",
            "payload": {},
            "recipients": ["=ops@example.com"],
            "status": "sent",
            "attempts": 1,
            "created_at": T0 + timedelta(days=day),
            "next_attempt_at": T0 + timedelta(days=day),
            "finished_at": T0 + timedelta(days=day, minutes=1),
            "error": None,
        }
        for day in (0, 20)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(NotificationRow), rows)
    records = RecordsStore(store)
    exported = _csv(records, ExportKind.NOTIFICATIONS)
    assert tuple(exported[0]) == EXPORT_COLUMNS[ExportKind.NOTIFICATIONS]
    assert [r[4] for r in exported[1:]] == ["email", "email"]
    assert exported[1][5] == "'=ops@example.com"
    assert len(_csv(records, ExportKind.NOTIFICATIONS, since=T0 + timedelta(days=10))) == 2
