"""Ticket/project notes and people lookups through the real Autotask client and simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from orderbridge.adapters.autotask import AutotaskClient, AutotaskCredentials
from orderbridge.adapters.notify import AutotaskNoteChannel, AutotaskPeople, parse_autotask_url
from orderbridge.domain.notices import OrderFacts
from orderbridge.domain.notify_rules import Person
from orderbridge.ports import NotificationUndeliverable
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def served() -> Iterator[tuple[AutotaskSimulator, str]]:
    sim = AutotaskSimulator(AutotaskSimConfig())
    with SimulatorServer(sim.app) as server:
        yield sim, server.url


@pytest.fixture
async def client(served: tuple[AutotaskSimulator, str]) -> AsyncIterator[AutotaskClient]:
    sim, url = served
    creds = AutotaskCredentials(
        username=sim.config.username,
        secret=sim.config.secret,
        integration_code=sim.config.integration_code,
    )
    async with AutotaskClient(
        credentials=creds, zone_lookup_url=f"{url}/atservicesrest/v1.0/zoneInformation"
    ) as opened:
        yield opened


@pytest.fixture
def world(served: tuple[AutotaskSimulator, str]) -> dict[str, int]:
    """A customer with a contact, a technician, a ticket and a project."""
    _, url = served
    admin = httpx2.Client(base_url=url, timeout=10)
    sim = served[0]
    company = sim.db.create(
        sim.db.catalog.by_name("Company"),
        {"companyName": "Customer Ltd", "companyType": 1, "phone": "555", "ownerResourceID": 1},
    )
    seeded: dict[str, Any] = admin.post(
        "/_sim/people",
        json={
            "Resources": [
                {"firstName": "Tess", "lastName": "Tech", "email": "tess@msp.example"},
                {"firstName": "Bo", "lastName": "Buyer", "email": "bo@msp.example"},
            ],
            "Contacts": [
                {
                    "companyID": company,
                    "firstName": "Cara",
                    "lastName": "Client",
                    "emailAddress": "cara@customer.example",
                }
            ],
        },
    ).json()
    tech, buyer = seeded["Resources"]
    (contact,) = seeded["Contacts"]
    ticket_and_project = admin.post(
        "/_sim/people",
        json={
            "Tickets": [
                {
                    "title": "Laptops",
                    "companyID": company,
                    "status": 1,
                    "priority": 2,
                    "assignedResourceID": tech,
                    "contactID": contact,
                }
            ],
            "Projects": [
                {
                    "projectName": "Move",
                    "companyID": company,
                    "status": 1,
                    "projectLeadResourceID": tech,
                }
            ],
        },
    ).json()
    admin.close()
    return {
        "buyer": buyer,
        "ticket": ticket_and_project["Tickets"][0],
        "project": ticket_and_project["Projects"][0],
    }


def facts(world: dict[str, int], **kw: Any) -> OrderFacts:
    values: dict[str, Any] = {
        "po_number": "PO-1",
        "creator_resource_id": world["buyer"],
        "ticket_ids": (world["ticket"],),
        "project_ids": (world["project"],),
    }
    values.update(kw)
    return OrderFacts(**values)


async def test_ticket_note_is_written_with_the_configured_settings(
    client: AutotaskClient, world: dict[str, int], served: tuple[AutotaskSimulator, str]
) -> None:
    target = parse_autotask_url("autotask://ticket-notes?publish=2&note_type=3&title=Order update")
    channel = AutotaskNoteChannel("customer-ticket", target, client)
    reached = await channel.send("PO PO-1 shipped", "UPS 1Z999", facts=facts(world), recipients=())
    assert reached == [f"ticket {world['ticket']}"]
    notes = httpx2.get(f"{served[1]}/_sim/notes").json()["TicketNotes"]
    assert [(n["title"], n["description"], n["noteType"], n["publish"]) for n in notes] == [
        ("Order update: PO PO-1 shipped", "UPS 1Z999", 3, 2)
    ]
    assert "note type and publish values exist" in await channel.check()


async def test_project_notes_and_orders_without_a_link(
    client: AutotaskClient, world: dict[str, int], served: tuple[AutotaskSimulator, str]
) -> None:
    channel = AutotaskNoteChannel("project", parse_autotask_url("autotask://project-notes"), client)
    assert await channel.send("t", "b", facts=facts(world), recipients=()) == [
        f"project {world['project']}"
    ]
    assert len(httpx2.get(f"{served[1]}/_sim/notes").json()["ProjectNotes"]) == 1
    with pytest.raises(NotificationUndeliverable, match="no item of PO PO-2 is linked"):
        await channel.send("t", "b", facts=OrderFacts("PO-2"), recipients=())


async def test_a_note_type_the_tenant_lacks_is_found_by_check(client: AutotaskClient) -> None:
    channel = AutotaskNoteChannel(
        "bad", parse_autotask_url("autotask://ticket-notes?note_type=99"), client
    )
    with pytest.raises(NotificationUndeliverable, match="noteType has no value 99"):
        await channel.check()


async def test_people_are_found_and_cached(client: AutotaskClient, world: dict[str, int]) -> None:
    people = AutotaskPeople(client, lambda: NOW)
    order = facts(world)
    assert await people.addresses(Person.PO_CREATOR, order) == ["bo@msp.example"]
    assert await people.addresses(Person.TICKET_RESOURCE, order) == ["tess@msp.example"]
    assert await people.addresses(Person.TICKET_CONTACT, order) == ["cara@customer.example"]
    before = dict(client.request_count)
    for person in Person:
        await people.addresses(person, order)
    assert dict(client.request_count) == before  # answered from the cache
    assert await people.addresses(Person.PO_CREATOR, OrderFacts("PO-9")) == []
