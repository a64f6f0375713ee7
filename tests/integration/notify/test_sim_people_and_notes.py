"""The Autotask simulator's Resources, Contacts, Projects, TicketNotes and ProjectNotes."""

from __future__ import annotations

from typing import Any

import httpx2

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from tests.integration.simulators.autotask.autotask_requests import API
from tests.integration.simulators.autotask.test_autotask_limits import (
    THREAD_TEXT,
    concurrent_gets,
)


def seed(admin: httpx2.Client, body: dict[str, Any]) -> dict[str, list[int]]:
    response = admin.post("/_sim/people", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, list[int]] = response.json()
    return created


def people(admin: httpx2.Client, company: int) -> dict[str, list[int]]:
    return seed(
        admin,
        {
            "Resources": [{"firstName": "Tess", "lastName": "Tech", "email": "tess@msp.example"}],
            "Contacts": [
                {
                    "companyID": company,
                    "firstName": "Cara",
                    "lastName": "Client",
                    "emailAddress": "cara@customer.example",
                }
            ],
        },
    )


def test_resources_are_read_only_over_the_api(
    api: httpx2.Client, admin: httpx2.Client, vendor_id: int
) -> None:
    resource_id = people(admin, vendor_id)["Resources"][0]
    assert api.get(f"/Resources/{resource_id}").json()["item"]["email"] == "tess@msp.example"
    refused = api.post("/Resources", json={"firstName": "A", "lastName": "B", "email": "x@y.z"})
    assert refused.status_code == 405
    assert api.patch("/Resources", json={"id": resource_id, "email": "x@y.z"}).status_code == 405
    query = {"filter": [{"op": "eq", "field": "email", "value": "tess@msp.example"}]}
    assert [r["id"] for r in api.post("/Resources/query", json=query).json()["items"]] == [
        resource_id
    ]


def test_contacts_are_created_and_checked_like_other_entities(
    api: httpx2.Client, admin: httpx2.Client, vendor_id: int
) -> None:
    contact_id = people(admin, vendor_id)["Contacts"][0]
    contact = api.get(f"/Contacts/{contact_id}").json()["item"]
    assert contact["emailAddress"] == "cara@customer.example"
    assert contact["createDate"]
    bad = api.post("/Contacts", json={"companyID": 999999, "firstName": "A", "lastName": "B"})
    assert bad.status_code == 500
    assert "does not reference an existing entity" in bad.json()["errors"][0]


def test_ticket_contact_and_project_notes(
    api: httpx2.Client, admin: httpx2.Client, sim: AutotaskSimulator, vendor_id: int
) -> None:
    ids = people(admin, vendor_id)
    resource, contact = ids["Resources"][0], ids["Contacts"][0]
    ticket = {
        "title": "New laptops",
        "companyID": vendor_id,
        "status": 1,
        "priority": 2,
        "assignedResourceID": resource,
        "contactID": contact,
    }
    ticket_id = api.post("/Tickets", json=ticket).json()["itemId"]
    assert api.get(f"/Tickets/{ticket_id}").json()["item"]["contactID"] == contact
    dangling = api.post("/Tickets", json={**ticket, "contactID": 999999})
    assert dangling.status_code == 500
    project = {
        "projectName": "Office move",
        "companyID": vendor_id,
        "status": 1,
        "projectLeadResourceID": resource,
    }
    project_id = api.post("/Projects", json=project).json()["itemId"]
    assert api.get(f"/Projects/{project_id}").json()["item"]["projectNumber"].startswith("P")
    note = {"title": "Shipped", "description": "UPS 1Z999", "noteType": 1, "publish": 1}
    assert api.post("/ProjectNotes", json={**note, "projectID": project_id}).status_code == 405
    created = api.post(f"/Projects/{project_id}/Notes", json=note)
    assert created.status_code == 200, created.text
    stored = api.get(f"/Projects/{project_id}/Notes").json()["items"]
    assert [(n["projectID"], n["title"]) for n in stored] == [(project_id, "Shipped")]
    assert stored[0]["creatorResourceID"]
    assert api.post(f"/Projects/{project_id}/Notes", json={"title": "x"}).status_code == 500
    assert api.post("/Projects/999999/Notes", json=note).status_code in (404, 500)
    query = {"filter": [{"op": "eq", "field": "projectID", "value": project_id}]}
    assert len(api.post("/ProjectNotes/query", json=query).json()["items"]) == 1
    listed = admin.get("/_sim/notes").json()
    assert [n["title"] for n in listed["ProjectNotes"]] == ["Shipped"]
    assert sim.counter.current() > 0  # notes spend the same hourly budget


def test_bad_seed_data_is_refused_with_the_admin_error_shape(admin: httpx2.Client) -> None:
    response = admin.post("/_sim/people", json={"Contacts": [{"firstName": "A"}]})
    assert response.status_code == 400
    assert "required" in response.json()["error"].lower()
    assert admin.post("/_sim/people", json=[1]).json() == {"error": "expected a JSON object"}


def test_notes_and_people_share_the_thread_limit_per_endpoint() -> None:
    config = AutotaskSimConfig(processing_delay_s=0.8)
    sim = AutotaskSimulator(config)
    company = sim.db.create(
        sim.db.catalog.by_name("Company"),
        {"companyName": "C", "companyType": 1, "phone": "5", "ownerResourceID": 1},
    )
    project = sim.db.create(
        sim.db.catalog.by_name("Project"), {"projectName": "P", "companyID": company, "status": 1}
    )
    with SimulatorServer(sim.app) as server:
        paths = [f"/Projects/{project}/Notes"] * 4 + ["/Resources/1"] * 3
        responses = concurrent_gets(f"{server.url}{API}", config, paths)
    notes, resources = responses[:4], responses[4:]
    assert sorted(r.status_code for r in notes) == [200, 200, 200, 429]
    rejected = next(r for r in notes if r.status_code == 429)
    assert rejected.json() == {"errors": [THREAD_TEXT]}
    assert {r.status_code for r in resources} == {200}  # its own endpoint: not limited by notes
    assert [r.json() for r in resources] == [{"item": None}] * 3
    counted = sim.state.counters()["requests"]
    assert counted["ProjectNotes"]["GET"] == 4
    assert counted["Resources"]["GET"] == 3
