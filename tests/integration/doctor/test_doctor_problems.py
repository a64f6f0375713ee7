"""``orderbridge doctor`` against the simulators: every planted problem found, each with its fix."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import typer
from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from orderbridge.cli import app as orderbridge_app
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig
from tests.integration.doctor.doctor_configs import block, outcomes, write_config
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


def _sync(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(orderbridge_app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code in (0, 1, 2), result.output  # 2: a refused credential


def _drop_tracking(database: Path, po_number: str) -> None:
    """Make the stored state of a shipped order look like TD SYNNEX sent no tracking yet."""
    with SqlStore.open(f"sqlite:///{database}") as store:
        stored = store.load_state("default", po_number)
        assert stored is not None
        assert stored.status == "Shipped"
        state = json.loads(json.dumps(stored.state))
        for line in state["lines"]:
            for shipment in line["shipments"]:
                shipment["tracking_number"] = None
                shipment["tracking_url"] = None
        store.save_order(
            "default",
            po_number,
            po_id=stored.po_id,
            status=stored.status,
            state=state,
            fingerprint="no-tracking",
            history=[],
            checked_at=stored.checked_at,
        )


def test_doctor_finds_every_planted_problem(
    cli: typer.Typer,
    runner: CliRunner,
    upstreams: SimulatedUpstreams,
    database: Path,
    tmp_path: Path,
) -> None:
    good = write_config(upstreams, tmp_path / "good.toml", database)
    _sync(runner, good)  # the demo plants: no PO number, not found, a wrong externalPONumber
    _drop_tracking(database, "PO-10011")
    wrong_password = {"password": "not-the-password"}
    failing = write_config(upstreams, tmp_path / "failing.toml", database, tdsynnex=wrong_password)
    _sync(runner, failing)  # the last run fails: TD SYNNEX refuses the credentials
    response = httpx2.put(
        f"{upstreams.autotask_url}/_sim/threshold", json={"current": 9_500}, timeout=10
    )
    assert response.status_code == 200, response.text
    broken = write_config(
        upstreams,
        tmp_path / "broken.toml",
        database,
        tdsynnex=wrong_password,
        vendor_name="No Such Distributor",
    )
    no_tracking_po = upstreams.po("PO-10011")["id"]
    missing_number_id = next(
        p["id"] for p in upstreams.autotask.purchase_orders() if not p["purchaseOrderNumber"]
    )

    result = runner.invoke(cli, ["doctor", "--config", str(broken)])

    assert result.exit_code == 1, result.output
    out = result.stdout
    found = outcomes(out)
    assert found["configuration"] == "PASS"
    assert found["store"] == "PASS"
    assert found["Autotask zone"] == "PASS"
    assert found["Autotask credentials"] == "PASS"
    assert found["Autotask permissions"] == "PASS"
    assert found["Autotask request budget"] == "FAIL"
    assert "lower orderbridge's update frequency" in block(out, "Autotask request budget")
    assert found["TD SYNNEX credentials"] == "FAIL"
    assert "tdsynnex.password" in block(out, "TD SYNNEX credentials")
    assert "allow-list" not in block(out, "TD SYNNEX credentials")
    assert found["TD SYNNEX vendor company"] == "FAIL"
    assert "No Such Distributor" in block(out, "TD SYNNEX vendor company")
    assert found["monitored purchase orders"] == "WARN"
    assert found["POs without a PO number"] == "WARN"
    assert f"PO id {missing_number_id}" in block(out, "POs without a PO number")
    assert found["POs TD SYNNEX does not know"] == "WARN"
    not_found = block(out, "POs TD SYNNEX does not know")
    assert "PO-10022" in not_found
    assert "PO number field mapping is right" in not_found
    assert found["TD SYNNEX order number mismatches"] == "WARN"
    assert "PO-10017" in block(out, "TD SYNNEX order number mismatches")
    assert found["shipped without tracking"] == "WARN"
    tracking = block(out, "shipped without tracking")
    assert "PO-10011" in tracking
    assert "PO-10012" not in tracking  # shipped with tracking
    assert no_tracking_po > 0
    assert found["last sync run"] == "WARN"
    assert "the last run failed" in block(out, "last sync run")


def test_doctor_tells_an_ip_allow_list_refusal_apart(
    cli: typer.Typer, runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    config = TdSynnexSimConfig(allowed_ips=["203.0.113.7"])
    with simulated_upstreams(tdsynnex_config=config) as upstreams:
        path = write_config(upstreams, tmp_path / "ip.toml", database)
        result = runner.invoke(cli, ["doctor", "--config", str(path)])
        probes = upstreams.tdsynnex_requests("POStatus")
    assert result.exit_code == 1, result.output
    td = block(result.stdout, "TD SYNNEX credentials")
    assert td.startswith("FAIL")
    assert "IP" in td
    assert "add this server's public IP address to the XML allow-list" in td
    assert "tdsynnex.password" not in td
    assert probes == 1


def test_doctor_names_a_refused_invoice_service_and_its_fix(
    cli: typer.Typer, runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    config = TdSynnexSimConfig(invoice_allowed_ips=["203.0.113.7"])
    with simulated_upstreams(tdsynnex_config=config) as upstreams:
        path = write_config(upstreams, tmp_path / "invoices.toml", database)
        result = runner.invoke(cli, ["doctor", "--config", str(path)])
    assert block(result.stdout, "TD SYNNEX credentials").startswith("PASS")
    invoices = block(result.stdout, "TD SYNNEX invoices")
    assert invoices.startswith("WARN"), invoices
    assert "enable the invoice query" in invoices
    assert "[tdsynnex] invoices = false" in invoices


def test_doctor_exits_2_when_the_configuration_cannot_be_loaded(
    cli: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[autotask]\nvendor_nmae = "TD"\n', encoding="utf-8")
    result = runner.invoke(cli, ["doctor", "--config", str(bad)])
    assert result.exit_code == 2
    assert "autotask.vendor_nmae" in result.stderr


def test_doctor_names_the_settings_for_a_login_refusal_it_cannot_read(
    cli: typer.Typer, runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    config = TdSynnexSimConfig(auth_error_message="Anmeldung abgelehnt", auth_error_detail="")
    with simulated_upstreams(tdsynnex_config=config) as upstreams:
        wrong = {"password": "not-the-password"}
        unknown = write_config(upstreams, tmp_path / "a.toml", database, tdsynnex=wrong)
        unread = runner.invoke(cli, ["doctor", "--config", str(unknown)])
        learnt = {**wrong, "auth_error_texts": ["anmeldung abgelehnt"]}
        known = write_config(upstreams, tmp_path / "b.toml", database, tdsynnex=learnt)
        read = runner.invoke(cli, ["doctor", "--config", str(known)])
    td = block(unread.stdout, "TD SYNNEX credentials")
    assert td.startswith("FAIL")
    assert "'Anmeldung abgelehnt'" in td
    assert "tdsynnex.auth_error_texts" in td
    assert "tdsynnex.ip_refusal_texts" in td
    td = block(read.stdout, "TD SYNNEX credentials")
    assert td.startswith("FAIL")
    assert "rejected the credentials" in td
    assert "tdsynnex.password" in td
    assert "auth_error_texts" not in td


def test_doctor_names_the_autotask_keys_for_a_refusal_it_cannot_read(
    cli: typer.Typer, runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    with simulated_upstreams() as upstreams:
        wrong = "NOT-THE-CODE"
        unread = write_config(
            upstreams,
            tmp_path / "a.toml",
            database,
            integration_code=wrong,
            integration_code_error_texts=["words autotask never says"],
        )
        unknown = runner.invoke(cli, ["doctor", "--config", str(unread)])
        read = write_config(upstreams, tmp_path / "b.toml", database, integration_code=wrong)
        known = runner.invoke(cli, ["doctor", "--config", str(read)])
    at = block(unknown.stdout, "Autotask credentials")
    assert at.startswith("FAIL")
    assert "autotask.integration_code_error_texts" in at
    assert "autotask.unknown_user_error_texts" in at
    at = block(known.stdout, "Autotask credentials")
    assert at.startswith("FAIL")
    assert "autotask.integration_code" in at
    assert "error_texts" not in at


def test_doctor_names_not_found_texts_for_an_invoice_answer_it_cannot_read(
    cli: typer.Typer, runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    config = TdSynnexSimConfig(invoice_not_found_reason="Kein Beleg zu {what}.")
    with simulated_upstreams(tdsynnex_config=config) as upstreams:
        unknown = write_config(upstreams, tmp_path / "a.toml", database)
        unread = runner.invoke(cli, ["doctor", "--config", str(unknown)])
        learnt = {"not_found_texts": ["kein beleg"]}
        known = write_config(upstreams, tmp_path / "b.toml", database, tdsynnex=learnt)
        read = runner.invoke(cli, ["doctor", "--config", str(known)])
    invoices = block(unread.stdout, "TD SYNNEX invoices")
    assert invoices.startswith("WARN")
    assert "Kein Beleg zu PO# ORDERBRIDGE-DOCTOR-PROBE." in invoices
    assert "tdsynnex.not_found_texts" in invoices
    assert block(read.stdout, "TD SYNNEX invoices").startswith("PASS")
