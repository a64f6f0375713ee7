"""People and notes: the admin routes that seed people and list the notes written (the specs
are in ``entities``, the write rules in ``purchasing``).

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
from .rendering import render_record

if TYPE_CHECKING:
    from .simulator import AutotaskSimulator

__all__ = ["people_and_notes_routes"]

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
