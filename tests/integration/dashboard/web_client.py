"""A real dashboard on a loopback port over a seeded store, and a browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import httpx2

from orderbridge.adapters.store import SqlStore
from orderbridge.application.doctor import Check, Outcome
from orderbridge.settings import Settings, WebSettings
from orderbridge.web import DashboardServer, WebServices, create_app
from orderbridge.web._actions import ResyncOutcome

from .seed import NOW

ADMIN_PASSWORD = "admin password 1"
VIEWER_PASSWORD = "viewer password 1"
_HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Actions:
    """Stand-ins for the two upstream actions, recording what they were asked to do."""

    resynced: list[str] = field(default_factory=list)
    doctor_runs: int = 0

    async def resync(self, po_number: str) -> ResyncOutcome:
        self.resynced.append(po_number)
        return ResyncOutcome(True, f"PO {po_number} checked: nothing changed")

    async def doctor(self) -> list[Check]:
        self.doctor_runs += 1
        return [
            Check("store", Outcome.PASS, "reachable"),
            Check("autotask", Outcome.FAIL, "<b>no</b>", "fix <it>"),
        ]


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    match = _HIDDEN_CSRF.search(html)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


def login(client: httpx2.Client, username: str, password: str) -> httpx2.Response:
    """Sign in the way a browser does: fetch the form, post it with its CSRF field."""
    form = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
    )


@contextmanager
def dashboard(
    store: SqlStore, *, web: WebSettings | None = None
) -> Iterator[tuple[str, WebServices, Actions]]:
    """The app over ``store`` on a real socket, with an admin ``ada`` and a viewer ``vic``."""
    settings = Settings(web=web or WebSettings())
    actions = Actions()
    services = replace(
        WebServices.build(settings, store, clock=lambda: NOW),
        resync=actions.resync,
        doctor=actions.doctor,
    )
    services.accounts.add_user("ada", "admin", ADMIN_PASSWORD)
    services.accounts.add_user("vic", "viewer", VIEWER_PASSWORD)
    with DashboardServer(create_app(services)) as server:
        yield server.url, services, actions
