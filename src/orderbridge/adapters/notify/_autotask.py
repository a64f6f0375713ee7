"""Autotask itself as a channel (ticket or project notes) and as the directory of people.

``AutotaskNoteChannel`` writes one note on every ticket (or project) the PO's items were bought
for, with the configured note type, publish setting and title, so the MSP's own Autotask
workflow can tell the end customer. ``AutotaskPeople`` finds the e-mail addresses of the PO's
creator, the ticket's (or project's) primary resource and the ticket's contact. Every request
goes through the Autotask client, and so through the shared request budget and thread limits;
records are cached for an hour, so a digest about 40 orders of one ticket asks once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from orderbridge.adapters.autotask import AutotaskClient, ValidationFailed
from orderbridge.domain.notices import OrderFacts
from orderbridge.domain.notify_rules import Person
from orderbridge.ports import NotificationUndeliverable

from ._urls import AutotaskNoteTarget

__all__ = ["AutotaskNoteChannel", "AutotaskPeople"]

TITLE_LIMIT = 250
DESCRIPTION_LIMIT = 32_000
_PARENTS = {"ticket": ("Tickets", "ticketID"), "project": ("Projects", "projectID")}


class AutotaskNoteChannel:
    """Notes on the tickets or projects a PO's items were bought for."""

    per_order = True

    def __init__(self, name: str, target: AutotaskNoteTarget, client: AutotaskClient) -> None:
        """A channel writing ``target``'s kind of note through ``client``."""
        self._name = name
        self._target = target
        self._client = client

    @property
    def name(self) -> str:
        """The channel's configured name."""
        return self._name

    def _ids(self, facts: OrderFacts) -> tuple[int, ...]:
        return facts.ticket_ids if self._target.target == "ticket" else facts.project_ids

    async def send(
        self, title: str, body: str, *, facts: OrderFacts | None, recipients: Sequence[str]
    ) -> list[str]:
        """Write the note on each linked ticket or project; return which ones."""
        kind = self._target.target
        if facts is None or not facts.po_number:
            raise NotificationUndeliverable(f"channel {self._name!r}: a {kind} note needs an order")
        ids = self._ids(facts)
        if not ids:
            raise NotificationUndeliverable(
                f"channel {self._name!r}: no item of PO {facts.po_number} is linked to a {kind}"
            )
        parent, parent_field = _PARENTS[kind]
        prefix = f"{self._target.title}: " if self._target.title else ""
        note = {
            "title": (prefix + title)[:TITLE_LIMIT],
            "description": body[:DESCRIPTION_LIMIT] or title,
            "noteType": self._target.note_type,
            "publish": self._target.publish,
        }
        reached = []
        for parent_id in ids:
            try:
                await self._client.create_child(
                    parent, parent_id, "Notes", {**note, parent_field: parent_id}
                )
            except ValidationFailed as exc:
                raise NotificationUndeliverable(f"channel {self._name!r}: {exc}") from None
            reached.append(f"{kind} {parent_id}")
        return reached

    async def check(self) -> str:
        """The note type and publish values exist in this tenant's picklists."""
        entity = "TicketNotes" if self._target.target == "ticket" else "ProjectNotes"
        for field, value in (
            ("noteType", self._target.note_type),
            ("publish", self._target.publish),
        ):
            values = await self._client.picklist(entity, field)
            if value not in values.values():
                known = ", ".join(f"{v} ({label})" for label, v in sorted(values.items()))
                raise NotificationUndeliverable(
                    f"channel {self._name!r}: {entity}.{field} has no value {value}; "
                    f"this tenant has {known}"
                )
        return f"autotask://{self._target.target}-notes: note type and publish values exist"


class AutotaskPeople:
    """E-mail addresses of people Autotask knows about an order (cached)."""

    def __init__(
        self,
        client: AutotaskClient,
        clock: Callable[[], datetime],
        *,
        ttl: timedelta = timedelta(hours=1),
    ) -> None:
        """Look people up through ``client``; keep what was read for ``ttl``."""
        self._client = client
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[tuple[str, int], tuple[datetime, dict[str, Any] | None]] = {}

    async def _record(self, entity: str, record_id: int | None) -> dict[str, Any] | None:
        if record_id is None:
            return None
        now = self._clock()
        cached = self._cache.get((entity, record_id))
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        record = await self._client.get(entity, record_id)
        self._cache[(entity, record_id)] = (now, record)
        return record

    async def _email(self, entity: str, record_id: int | None, field: str) -> list[str]:
        record = await self._record(entity, record_id)
        value = record.get(field) if record else None
        return [value.strip()] if isinstance(value, str) and "@" in value else []

    @staticmethod
    def _int(record: dict[str, Any] | None, field: str) -> int | None:
        value = record.get(field) if record else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    async def addresses(self, person: Person, facts: OrderFacts) -> list[str]:
        """The addresses of ``person`` for the order; empty when Autotask has none."""
        found: list[str] = []
        if person is Person.PO_CREATOR:
            found += await self._email("Resources", facts.creator_resource_id, "email")
        elif person is Person.TICKET_RESOURCE:
            for ticket_id in facts.ticket_ids:
                ticket = await self._record("Tickets", ticket_id)
                found += await self._email(
                    "Resources", self._int(ticket, "assignedResourceID"), "email"
                )
            for project_id in facts.project_ids:
                project = await self._record("Projects", project_id)
                found += await self._email(
                    "Resources", self._int(project, "projectLeadResourceID"), "email"
                )
        else:
            for ticket_id in facts.ticket_ids:
                ticket = await self._record("Tickets", ticket_id)
                found += await self._email(
                    "Contacts", self._int(ticket, "contactID"), "emailAddress"
                )
        return list(dict.fromkeys(found))
