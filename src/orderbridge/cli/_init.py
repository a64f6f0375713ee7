"""``orderbridge init``: write a working configuration file, interactively or from flags.

It asks for the Autotask API user, the TD SYNNEX account and region, finds the TD SYNNEX vendor
company in Autotask, proposes an update frequency and a status scope, tests both connections
with the same checks ``orderbridge doctor`` runs, and writes the TOML file with mode 0600 from
the moment it exists. It never overwrites a file without ``--force``, checks the output path
before any network call, keeps secrets given by environment variable out of the file, and with
``--advanced`` asks for the service URLs too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import EXIT_CONFIG, EXIT_ORDERS_FAILED, console, errors, fail, start_logging
from ._init_answers import SECRET_VARIABLES, InitAnswers, normalised, write_private_file

if TYPE_CHECKING:
    from orderbridge.application.doctor import Check
    from orderbridge.settings import Settings

__all__ = ["InitAnswers", "init", "write_private_file"]

VENDOR_SEARCH = "SYNNEX"
DEFAULT_OUTPUT = "orderbridge.toml"


async def _vendor_candidates(settings: Settings) -> list[tuple[int, str]]:
    from orderbridge.bootstrap import doctor_session

    async with doctor_session(settings) as doctor:
        found = await doctor.upstream.autotask.vendors_named(VENDOR_SEARCH)
    return [(c.id, c.name) for c in found]


async def _connection_checks(settings: Settings) -> list[Check]:
    from orderbridge.bootstrap import doctor_session

    async with doctor_session(settings) as doctor:
        return await doctor.connection_checks()


def _ask_credentials(a: InitAnswers) -> None:
    if not a.autotask_username:
        a.autotask_username = typer.prompt("Autotask API user (username)")
    if not a.autotask_secret:
        a.autotask_secret = typer.prompt("Autotask API secret", hide_input=True)
    if not a.integration_code:
        a.integration_code = typer.prompt("Autotask API tracking identifier", hide_input=True)
    if not a.tdsynnex_customer:
        a.tdsynnex_customer = typer.prompt("TD SYNNEX customer (account) number")
    if not a.tdsynnex_user:
        a.tdsynnex_user = typer.prompt("TD SYNNEX XML user ID")
    if not a.tdsynnex_password:
        a.tdsynnex_password = typer.prompt("TD SYNNEX XML password", hide_input=True)
    a.region = typer.prompt("TD SYNNEX region (US or CA)", default=a.region)
    a.environment = typer.prompt(
        "TD SYNNEX environment (production or test)", default=a.environment
    )


def _ask_urls(a: InitAnswers) -> None:
    """``--advanced``: where Autotask and TD SYNNEX are (a sandbox, a proxy, the simulators)."""
    from orderbridge.settings import DEFAULT_ZONE_LOOKUP_URL

    console.print("Service URLs (Enter keeps the default):")
    zone = typer.prompt(
        "Autotask zone lookup URL", default=a.zone_lookup_url or DEFAULT_ZONE_LOOKUP_URL
    ).strip()
    a.zone_lookup_url = zone if zone and zone != DEFAULT_ZONE_LOOKUP_URL else None
    base = typer.prompt(
        "Autotask REST base URL (empty: discover it from the zone lookup)",
        default=a.autotask_base_url or "",
        show_default=False,
    ).strip()
    a.autotask_base_url = base or None
    status = typer.prompt(
        "TD SYNNEX POStatus URL (empty: from the region and environment)",
        default=a.tdsynnex_status_url or "",
        show_default=False,
    ).strip()
    a.tdsynnex_status_url = status or None
    if status:
        a.tdsynnex_invoice_url = (
            typer.prompt(
                "TD SYNNEX invoice query URL", default=a.tdsynnex_invoice_url or ""
            ).strip()
            or None
        )


def _pick_vendor(a: InitAnswers, candidates: list[tuple[int, str]], interactive: bool) -> None:
    """Choose the vendor company: a prompt, or the single match when not interactive."""
    from rich.markup import escape

    for n, (company_id, name) in enumerate(candidates, start=1):
        console.print(f"  {n}) {escape(name)} (company id {company_id})", highlight=False)
    if not interactive:
        if len(candidates) == 1:
            a.vendor_company_ids = [candidates[0][0]]
            return
        what = "several companies match" if candidates else "no vendor company matches"
        fail([f"{what} {VENDOR_SEARCH!r}; pass --vendor-company-id"], EXIT_CONFIG)
    if not candidates:
        typed = typer.prompt("TD SYNNEX vendor company id (empty to skip)", default="")
        a.vendor_company_ids = [int(typed)] if typed.strip().isdigit() else []
        return
    while True:
        choice: int = typer.prompt("Which one is TD SYNNEX? (number)", default=1, type=int)
        if 1 <= choice <= len(candidates):
            break
        errors.print(f"choose a number from 1 to {len(candidates)}")
    a.vendor_company_ids = [candidates[choice - 1][0]]


def _find_vendor(a: InitAnswers, interactive: bool) -> None:
    import anyio

    from orderbridge.ports import UpstreamError

    console.print(f"Looking for vendor companies named like {VENDOR_SEARCH!r} in Autotask...")
    try:
        candidates = anyio.run(_vendor_candidates, a.settings())
    except UpstreamError as exc:
        errors.print(f"could not list vendor companies: {exc}", markup=False, highlight=False)
        return
    _pick_vendor(a, candidates, interactive)


def _gather(a: InitAnswers, interactive: bool, *, advanced: bool) -> None:
    if interactive:
        _ask_credentials(a)
        if advanced:
            _ask_urls(a)
    elif a.missing():
        fail([f"{flag} is required with --non-interactive" for flag in a.missing()], EXIT_CONFIG)
    problems = normalised(a)
    if problems:
        fail(problems, EXIT_CONFIG)
    start_logging(a.settings())
    if not a.vendor_company_ids:
        _find_vendor(a, interactive)
    if interactive:
        a.frequency = typer.prompt(
            "Update frequency (realtime, hourly, daily, or custom:15m)", default=a.frequency
        )
        a.scope = typer.prompt("Status scope (active, all, recent:30)", default=a.scope)
        problems = normalised(a)
        if problems:
            fail(problems, EXIT_CONFIG)


def _output_or_exit(output: Path, force: bool) -> None:
    """Check the output path before anything slow: create its directory or refuse in one line."""
    if output.is_dir():
        fail([f"{output} is a directory; give a file name, e.g. {output / DEFAULT_OUTPUT}"])
    if output.exists() and not force:
        fail([f"{output} already exists; pass --force to replace it"], EXIT_ORDERS_FAILED)
    parent = output.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail([f"cannot create the directory {parent} for {output.name}: {exc.strerror or exc}"])
    if not os.access(parent, os.W_OK | os.X_OK):
        fail([f"cannot write {output}: the directory {parent} is not writable by you"])


def _environment_secrets(ctx: typer.Context) -> set[str]:
    """The secrets that came from their ORDERBRIDGE_* variable rather than a flag or prompt."""
    params = {
        "autotask.secret": "autotask_secret",
        "autotask.integration_code": "integration_code",
        "tdsynnex.password": "tdsynnex_password",
    }
    return {
        key
        for key, param in params.items()
        # By name: the enum lives in the click copy typer vendors, a private module.
        if getattr(ctx.get_parameter_source(param), "name", None) == "ENVIRONMENT"
    }


def _secret(key: str, help_text: str) -> Any:
    """A secret's option: also read from its environment variable, its value never shown."""
    return typer.Option(envvar=SECRET_VARIABLES[key], help=help_text, show_default=False)


def init(
    ctx: typer.Context,
    non_interactive: Annotated[
        bool, typer.Option("--non-interactive", help="Take every answer from flags.")
    ] = False,
    advanced: Annotated[
        bool,
        typer.Option("--advanced", help="Also ask for the Autotask and TD SYNNEX URLs."),
    ] = False,
    autotask_username: Annotated[str, typer.Option(help="Autotask API-only user.")] = "",
    autotask_secret: Annotated[
        str,
        _secret(
            "autotask.secret",
            "Its secret (from the variable: kept there, not written to the file).",
        ),
    ] = "",
    integration_code: Annotated[
        str,
        _secret("autotask.integration_code", "API tracking id (from the variable: kept there)."),
    ] = "",
    tdsynnex_customer: Annotated[str, typer.Option(help="TD SYNNEX customer number.")] = "",
    tdsynnex_user: Annotated[str, typer.Option(help="TD SYNNEX XML user ID.")] = "",
    tdsynnex_password: Annotated[
        str, _secret("tdsynnex.password", "Its password (from the variable: kept there).")
    ] = "",
    region: Annotated[str, typer.Option(help="US or CA.")] = "US",
    environment: Annotated[str, typer.Option(help="production or test.")] = "production",
    autotask_base_url: Annotated[str | None, typer.Option(help="Skip zone discovery.")] = None,
    zone_lookup_url: Annotated[str | None, typer.Option(help="Zone lookup endpoint.")] = None,
    tdsynnex_status_url: Annotated[str | None, typer.Option(help="POStatus URL.")] = None,
    tdsynnex_invoice_url: Annotated[str | None, typer.Option(help="Invoice query URL.")] = None,
    vendor_company_id: Annotated[
        list[int] | None, typer.Option(help="The TD SYNNEX vendor company id (repeatable).")
    ] = None,
    frequency: Annotated[str, typer.Option(help="Update frequency.")] = "hourly",
    scope: Annotated[str, typer.Option(help="Status scope.")] = "active",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write (its directory is created).")
    ] = Path(DEFAULT_OUTPUT),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a configuration file after testing both connections."""
    _output_or_exit(output, force)
    answers = InitAnswers(
        autotask_username=autotask_username,
        autotask_secret=autotask_secret,
        integration_code=integration_code,
        tdsynnex_customer=tdsynnex_customer,
        tdsynnex_user=tdsynnex_user,
        tdsynnex_password=tdsynnex_password,
        region=region,
        environment=environment,
        autotask_base_url=autotask_base_url,
        zone_lookup_url=zone_lookup_url,
        tdsynnex_status_url=tdsynnex_status_url,
        tdsynnex_invoice_url=tdsynnex_invoice_url,
        vendor_company_ids=list(vendor_company_id or []),
        frequency=frequency,
        scope=scope,
        from_environment=_environment_secrets(ctx),
    )
    _gather(answers, interactive=not non_interactive, advanced=advanced)
    _test_and_write(answers, output, force)


def _test_and_write(answers: InitAnswers, output: Path, force: bool) -> None:
    import anyio
    import tomli_w
    from rich.markup import escape

    from orderbridge.application.doctor import has_failures

    from ._doctor import print_checks

    console.print("Testing the connections...")
    checks = anyio.run(_connection_checks, answers.settings())
    print_checks(checks)
    try:
        write_private_file(output, tomli_w.dumps(answers.file_config()), force=force)
    except FileExistsError:
        fail([f"{output} already exists; pass --force to replace it"], EXIT_ORDERS_FAILED)
    except OSError as exc:
        fail([f"cannot write {output}: {exc.strerror or exc}"], EXIT_CONFIG)
    console.print(f"Wrote {escape(str(output))} (readable only by you).", highlight=False)
    for key in sorted(answers.from_environment):
        console.print(
            f"{key} stays in ${SECRET_VARIABLES[key]} (not written to the file): set it "
            "wherever orderbridge runs.",
            highlight=False,
            markup=False,
        )
    if has_failures(checks):
        errors.print("A connection check failed: fix it in the file, then run orderbridge doctor.")
        raise typer.Exit(EXIT_ORDERS_FAILED)
