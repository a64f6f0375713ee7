"""The Typer application and the commands' registration.

Registering a command is one entry in the ``_COMMANDS`` table below, in one of two forms::

    "NAME": module.function,     # a command
    "NAME": module.app,          # a group of subcommands (settings, simulate)

where ``module`` is in the ``from . import (...)`` list above the table (a plain
``from ._name import function`` works as well). What keeps ``orderbridge --help``,
``orderbridge version`` and configuration errors fast is not this file but the rule for command
modules: at module level a command module imports only the standard library, typer and
``._common``; everything else (rich, settings, bootstrap, the application, adapters, simulators,
anyio, pydantic) is imported inside the function that needs it, with type-only imports under
``TYPE_CHECKING``. tests/unit/cli/test_cli_startup.py checks the rule.

A new command is also added to the table of tests/integration/cli/test_cli_bad_input.py
(``CONFIG_COMMANDS`` with the arguments it needs, or ``NO_CONFIG_COMMANDS`` if it reads no
configuration): that test runs every registered command on bad configurations and fails when one
is missing from the table. Commands load the configuration through ``_common.settings_or_exit``
(and ``credentials_or_exit`` before talking to a service) so that bad input is one line, exit 2.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from orderbridge import __version__

from . import (
    _common,
    _demo,
    _doctor,
    _init,
    _migrate_store,
    _notify,
    _orders,
    _records,
    _report,
    _resync,
    _run,
    _sandbox,
    _serve,
    _settings,
    _simulate,
    _switch,
    _sync,
    _tenants,
    _users,
    _worker,
)

app = typer.Typer(
    name="orderbridge",
    help="Keep Autotask purchase orders in step with TD SYNNEX order status.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    # Plain help: typer's rich help labels every flag "<bool>" although a flag takes no value.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print orderbridge's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Keep Autotask purchase orders in step with TD SYNNEX order status."""
    _common.choose_tenant(None)  # each invocation chooses afresh (--tenant, $ORDERBRIDGE_TENANT)


def version() -> None:
    """Print orderbridge's version."""
    typer.echo(__version__)


# -- registration: one entry per command, or per group of subcommands ---------------------------
_COMMANDS: dict[str, Callable[..., Any] | typer.Typer] = {
    "init": _init.init,
    "sync": _sync.sync,
    "run": _run.run,
    "resync": _resync.resync,
    "doctor": _doctor.doctor,
    "enable": _switch.enable,
    "disable": _switch.disable,
    "status": _orders.status,
    "log": _orders.log,
    "demo": _demo.demo,
    "sandbox": _sandbox.sandbox,
    "version": version,
    "simulate": _simulate.app,
    "settings": _settings.app,
    "notify": _notify.app,
    "users": _users.users_app,
    "tokens": _users.tokens_app,
    "report": _report.app,
    "serve": _serve.serve,
    "export": _records.export_command,
    "backup": _records.backup,
    "restore": _records.restore,
    "migrate-store": _migrate_store.migrate_store,
    "archive": _records.archive,
    "unarchive": _records.unarchive,
    "audit": _records.audit,
    "tenants": _tenants.tenants_app,
    "keys": _tenants.keys_app,
    "worker": _worker.worker,
    "scheduler": _worker.scheduler,
}
# Commands that serve no one tenant, so take no --tenant: they manage the tenants themselves.
# Workers and the scheduler serve every enabled tenant.
_NO_TENANT = {"version", "tenants", "keys", "worker", "scheduler"}


def with_tenant(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with a ``--tenant NAME`` option (also ``$ORDERBRIDGE_TENANT``) added.

    The one place every command gets the option: the wrapper remembers the choice in
    ``_common``, whose ``settings_or_exit`` loads that tenant's settings (ADR 48).
    """
    signature = inspect.signature(command, eval_str=True)
    if "tenant" in signature.parameters:
        return command

    @functools.wraps(command)
    def wrapper(*args: Any, tenant: str | None = None, **kwargs: Any) -> Any:
        if tenant is not None:  # given to a group (settings --tenant X set ...) or a command
            _common.choose_tenant(tenant)
        return command(*args, **kwargs)

    option = inspect.Parameter(
        "tenant", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_common.TenantOption
    )
    parameters = [*signature.parameters.values(), option]
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


def _tenant_options(group: typer.Typer) -> None:
    """Give every command of ``group`` (its callback, its subgroups) the ``--tenant`` option."""
    callback = group.registered_callback
    if callback is not None and callback.callback is not None:
        callback.callback = with_tenant(callback.callback)
    for info in group.registered_commands:
        if info.callback is not None:
            info.callback = with_tenant(info.callback)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _tenant_options(sub.typer_instance)


for _name, _target in _COMMANDS.items():
    if isinstance(_target, typer.Typer):
        if _name not in _NO_TENANT:
            _tenant_options(_target)
        app.add_typer(_target, name=_name)
    else:
        app.command(_name)(_target if _name in _NO_TENANT else with_tenant(_target))


def main() -> None:
    """Console-script entry point."""
    # Running any command makes typer validate its parameters with pydantic, which costs more
    # than the rest of start-up; printing the version needs no parameters at all.
    if sys.argv[1:] in (["version"], ["--version"]):
        typer.echo(__version__)
        return
    app()
