"""People and notes: Resources, Contacts, Projects and ProjectNotes (TicketNotes live beside
Tickets in ``entities``), with the write rules Autotask applies to notes.

Resources cannot be created through the REST API (they are the tenant's staff); the simulator
seeds them through its admin API. Contacts and Projects can be created as in Autotask. A
ProjectNote is created only through ``/Projects/{id}/Notes``, like a TicketNote through its
ticket, and shares the API's budget, thread limits and error shapes with every other entity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import ApiError
from .purchasing import EntityRules
from .rendering import render_record
from .schema import DataType, EntitySpec, FieldSpec, Picklist, PicklistValue
from .store import Record

if TYPE_CHECKING:
    from .database import AutotaskDatabase
    from .simulator import AutotaskSimulator

__all__ = ["NOTE_RULES", "people_and_notes_routes", "people_and_notes_specs"]

_I = DataType.INTEGER
_L = DataType.LONG
_S = DataType.STRING
_T = DataType.DATETIME
_B = DataType.BOOLEAN
_SYSTEM_RESOURCE_ID = 29682885  # the "API user" resource the simulator attributes writes to


def _picklist(values: dict[str, int]) -> Picklist:
    return tuple(PicklistValue(value=v, label=label) for label, v in values.items())


def _ro(name: str, data_type: DataType, length: int = 0) -> FieldSpec:
    return FieldSpec(name, data_type, length, read_only=True)


def _resources() -> EntitySpec:
    return EntitySpec(
        "Resources",
        "Resource",
        (
            _ro("id", _L),
            FieldSpec("firstName", _S, 50, required=True),
            FieldSpec("lastName", _S, 50, required=True),
            FieldSpec("email", _S, 254, required=True),
            FieldSpec("userName", _S, 32),
            FieldSpec("isActive", _B),
        ),
        can_create=False,
        can_update=False,
    )


def _contacts() -> EntitySpec:
    return EntitySpec(
        "Contacts",
        "Contact",
        (
            _ro("id", _L),
            FieldSpec("companyID", _I, required=True, reference="Company"),
            FieldSpec("firstName", _S, 50, required=True),
            FieldSpec("lastName", _S, 50, required=True),
            FieldSpec("emailAddress", _S, 254),
            FieldSpec("isActive", _I),
            _ro("createDate", _T),
            _ro("lastActivityDate", _T),
        ),
        has_udfs=True,
    )


def _projects() -> EntitySpec:
    status = _picklist({"New": 1, "Complete": 5, "In Progress": 8})
    return EntitySpec(
        "Projects",
        "Project",
        (
            _ro("id", _L),
            FieldSpec("projectName", _S, 100, required=True),
            FieldSpec("companyID", _I, required=True, reference="Company"),
            FieldSpec("status", _I, required=True, picklist=status),
            FieldSpec("projectLeadResourceID", _I, reference="Resource"),
            _ro("projectNumber", _S, 50),
            _ro("createDateTime", _T),
            _ro("lastActivityDateTime", _T),
        ),
        has_udfs=True,
    )


def _project_notes() -> EntitySpec:
    note_type = _picklist({"Task Detail": 1, "Task Notes": 2, "Task Summary": 3})
    publish = _picklist({"All Autotask Users": 1, "Internal Only": 2})
    return EntitySpec(
        "ProjectNotes",
        "ProjectNote",
        (
            _ro("id", _L),
            FieldSpec("projectID", _L, required=True, reference="Project"),
            FieldSpec("title", _S, 250, required=True),
            FieldSpec("description", _S, 32000, required=True),
            FieldSpec("noteType", _I, required=True, picklist=note_type),
            FieldSpec("publish", _I, required=True, picklist=publish),
            FieldSpec("isAnnouncement", _B),
            _ro("createDateTime", _T),
            _ro("lastActivityDate", _T),
            _ro("creatorResourceID", _I),
        ),
        parent_field="projectID",
        root_writes=False,
    )


def people_and_notes_specs() -> list[EntitySpec]:
    """The entity specs this module adds to the catalog."""
    return [_resources(), _contacts(), _projects(), _project_notes()]


class _ProjectNotes(EntityRules):
    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        record["createDateTime"] = record["lastActivityDate"] = db.now()
        record["creatorResourceID"] = _SYSTEM_RESOURCE_ID

    def after_create(self, db: AutotaskDatabase, record: Record) -> None:
        project = db.table("Projects").get(record["projectID"])
        if project is not None:
            project["lastActivityDateTime"] = record["createDateTime"]


class _Projects(EntityRules):
    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        record["createDateTime"] = record["lastActivityDateTime"] = db.now()

    def after_create(self, db: AutotaskDatabase, record: Record) -> None:
        record["projectNumber"] = f"P{record['createDateTime']:%Y%m%d}.{record['id']:04d}"


class _Contacts(EntityRules):
    def before_create(self, db: AutotaskDatabase, record: Record) -> None:
        record["createDate"] = record["lastActivityDate"] = db.now()


NOTE_RULES: dict[str, EntityRules] = {
    "ProjectNotes": _ProjectNotes(),
    "Projects": _Projects(),
    "Contacts": _Contacts(),
}

# Admin seeding order: referenced records first.
_SEED_ORDER = ("Resources", "Contacts", "Projects", "Tickets")


def people_and_notes_routes(sim: AutotaskSimulator) -> list[Route]:
    """``POST /_sim/people`` seeds records; ``GET /_sim/notes`` lists every note written."""

    async def post_people(request: Request) -> Response:
        data: Any = await request.json()
        if not isinstance(data, dict):
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        created: dict[str, list[int]] = {}
        try:
            for path in _SEED_ORDER:
                entity = sim.db.catalog.by_path(path)
                assert entity is not None
                rows = data.get(path) or []
                created[path] = [sim.db.create(entity, row) for row in rows]
        except ApiError as exc:
            # Admin errors use the admin API's shape; records created before it stay.
            return JSONResponse({"error": "; ".join(exc.messages)}, status_code=400)
        return JSONResponse(created)

    async def get_notes(request: Request) -> Response:
        notes: dict[str, list[dict[str, Any]]] = {}
        for path in ("TicketNotes", "ProjectNotes"):
            entity = sim.db.catalog.by_path(path)
            assert entity is not None
            with sim.db.lock:
                notes[path] = [render_record(entity, r) for r in sim.db.table(path)]
        return JSONResponse(notes)

    return [
        Route("/_sim/people", post_people, methods=["POST"]),
        Route("/_sim/notes", get_notes, methods=["GET"]),
    ]
