"""``orderbridge serve``: the dashboard and JSON API alone, reading the store.

The daemon may run elsewhere (``orderbridge run`` on another machine sharing PostgreSQL, or in
the same process with ``[web] enabled = true``, see ``dashboard_task``).
"""

from __future__ import annotations

import ipaddress
import secrets
import signal
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    ConfigOption,
    errors,
    existing_store_or_exit,
    fail,
    opened_store,
    settings_or_exit,
    start_logging,
)

if TYPE_CHECKING:
    import anyio

    from orderbridge.bootstrap import Store
    from orderbridge.settings import Settings

__all__ = ["dashboard_task", "serve", "serve_demo"]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def announce(store: Store, host: str, port: int, extra: str = "") -> None:
    """Say where the dashboard is, and what is missing before anyone can sign in."""
    shown = f"[{host}]" if ":" in host else host
    errors.print(f"Dashboard on http://{shown}:{port}/", highlight=False, markup=False)
    if not _is_loopback(host):
        errors.print(
            f"warning: listening on {host}, beyond this machine; put a reverse proxy with TLS "
            "in front (docs/dashboard.md) so passwords never cross the network in clear text",
            highlight=False,
            markup=False,
        )
    if not store.accounts().users():
        errors.print(
            "No dashboard user yet: add one with "
            "orderbridge users add NAME --role admin (password from standard input)",
            highlight=False,
            markup=False,
        )
    if extra:
        errors.print(extra, highlight=False, markup=False)


async def dashboard_task(settings: Settings, store: Store, stop: anyio.Event) -> None:
    """Serve the dashboard until ``stop`` (``orderbridge run`` with ``[web] enabled = true``)."""
    from orderbridge.web import WebServices, create_app, serve_dashboard

    web = settings.web
    app = create_app(WebServices.build(settings, store))
    await serve_dashboard(
        app, web.host, web.port, stop, lambda port: announce(store, web.host, port)
    )


def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind ([web] host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=0, max=65535, help="Port ([web] port).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Serve the web dashboard and JSON API (reads the store; Ctrl-C stops it)."""
    import anyio

    settings = settings_or_exit(config)
    existing_store_or_exit(settings, config)
    start_logging(settings)
    bind_host = host or settings.web.host
    bind_port = settings.web.port if port is None else port
    try:
        with opened_store(settings) as store:
            anyio.run(_serve_until_signal, settings, store, bind_host, bind_port, "")
    except OSError as exc:
        fail([f"cannot listen on {bind_host}:{bind_port}: {exc.strerror or exc}"])


async def _serve_until_signal(
    settings: Settings, store: Store, host: str, port: int, extra: str
) -> None:
    import anyio

    from orderbridge.web import WebServices, create_app, serve_dashboard

    stop = anyio.Event()
    app = create_app(WebServices.build(settings, store))
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    stop.set()
                    return

        group.start_soon(watch)
        await serve_dashboard(
            app, host, port, stop, lambda bound: announce(store, host, bound, extra)
        )
        group.cancel_scope.cancel()
    errors.print("Dashboard stopped.", highlight=False, markup=False)


DEMO_USER = "demo"


def serve_demo(settings: Settings, port: int, stops: str = "the demo") -> None:
    """Keep the dashboard open until Ctrl-C (or SIGTERM), with a fresh demo login printed.

    ``demo --serve`` and ``sandbox`` use it; ``stops`` names what Ctrl-C ends.
    """
    import anyio

    from orderbridge.bootstrap import accounts

    password = secrets.token_urlsafe(12)
    try:
        with opened_store(settings) as store:
            service = accounts(settings, store)
            if any(u.username == DEMO_USER for u in service.users()):
                service.change_password(DEMO_USER, password)
            else:
                service.add_user(DEMO_USER, "admin", password)
            login = f"Demo login: user {DEMO_USER}, password {password}  (Ctrl-C stops {stops})"
            anyio.run(_serve_until_signal, settings, store, settings.web.host, port, login)
    except OSError as exc:
        fail([f"cannot listen on port {port}: {exc.strerror or exc}; try --port 0"])
