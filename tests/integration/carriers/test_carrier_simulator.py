"""The carrier simulators themselves: scenario packages, admin API, faithful awkward parts."""

from __future__ import annotations

import httpx2
import pytest
from typer.testing import CliRunner

from orderbridge.cli import app
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.carriers import CarrierSimulator
from orderbridge.simulators.scenario import builtin_scenario
from orderbridge.simulators.tdsynnex import TdSynnexSimulator
from orderbridge.simulators.tdsynnex.shipments import build_status

from .conftest import Running


def test_the_demo_scenario_gives_ups_the_tracking_numbers_td_synnex_reports() -> None:
    scenario = builtin_scenario("demo")
    tdsynnex = TdSynnexSimulator()
    tdsynnex.load_scenario(scenario)
    served = {
        p.tracking for row in build_status(tdsynnex.record("PO-10017")).rows for p in row.packages
    }
    ups = CarrierSimulator("ups")
    assert ups.load_scenario(scenario) == len(served) > 0
    assert {p.tracking_number for p in ups.book.all("ups")} == served
    package = ups.book.all("ups")[0]
    assert package.signed_by == "M GARCIA"
    assert package.visible(ups.state.clock.now())[0].status == "delivered"


def test_admin_api_refuses_bad_input_readably(carriers: dict[str, Running]) -> None:
    url = carriers["ups"].url
    bad = httpx2.post(f"{url}/_sim/packages", json={"tracking_number": "1Z1", "colour": "red"})
    assert bad.status_code == 400
    assert "unknown package keys" in bad.json()["error"]
    event = httpx2.post(f"{url}/_sim/packages/NOPE/events", json={"status": "delivered"})
    assert event.status_code == 404
    config = httpx2.put(f"{url}/_sim/config", json={"hourly_limit": "lots"})
    assert config.status_code == 400
    assert httpx2.post(f"{url}/_sim/packages", content=b"{not json").status_code == 400


def test_ups_unknown_number_is_a_warning_inside_200(carriers: dict[str, Running]) -> None:
    running = carriers["ups"]
    token = httpx2.post(
        f"{running.url}/security/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("sim-client", "sim-secret"),
    ).json()
    assert token["expires_in"] == "14399"
    assert token["issued_at"].isdigit()
    reply = httpx2.get(
        f"{running.url}/api/track/v1/details/1Z0000000000000000",
        headers={
            "Authorization": f"Bearer {token['access_token']}",
            "transId": "t1",
            "transactionSrc": "test",
        },
    )
    assert reply.status_code == 200
    assert reply.json()["trackResponse"]["shipment"][0]["warnings"][0]["code"] == "TW0001"


def test_fedex_refuses_more_than_thirty_numbers(carriers: dict[str, Running]) -> None:
    url = carriers["fedex"].url
    token = httpx2.post(
        f"{url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sim-client",
            "client_secret": "sim-secret",
        },
    ).json()["access_token"]
    body = {
        "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": f"{n:012d}"}} for n in range(31)]
    }
    reply = httpx2.post(
        f"{url}/track/v1/trackingnumbers", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["code"] == "TRACKING.TRACKINGNUMBER.LIMITEXCEEDED"


@pytest.mark.parametrize("carrier", ["nope", ""])
def test_an_unknown_carrier_is_refused(carrier: str) -> None:
    with pytest.raises(ValueError, match="no carrier simulator"):
        CarrierSimulator(carrier)


def test_a_simulator_serves_over_a_real_socket() -> None:
    sim = CarrierSimulator("dhl")
    with SimulatorServer(sim.app) as server:
        reply = httpx2.get(f"{server.url}/track/shipments", params={"trackingNumber": "1"})
    assert reply.status_code == 401
    assert reply.headers["content-type"].startswith("application/problem+json")


def test_simulate_has_a_command_per_carrier() -> None:
    for carrier in ("ups", "fedex", "usps", "dhl"):
        result = CliRunner().invoke(app, ["simulate", carrier, "--help"])
        assert result.exit_code == 0, result.output
        assert "--port" in result.output
    wrong = CliRunner().invoke(app, ["simulate", "purolator"])
    assert wrong.exit_code != 0
