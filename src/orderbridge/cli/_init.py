"""``orderbridge init``: write a working configuration file, interactively or from flags.

It asks for the Autotask API user, the TD SYNNEX account and region, finds the TD SYNNEX vendor
company in Autotask, proposes an update frequency and a status scope, tests both connections
with the same checks ``orderbridge doctor`` runs, and writes the TOML file with mode 0600 from
the moment it exists. It never overwrites a file without ``--force``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio
import tomli_w
import typer
from pydantic import ValidationError
from rich.markup import escape

from orderbridge.application.doctor import Check, has_failures
from orderbridge.bootstrap import doctor_session
from orderbridge.domain.schedule import Frequency
from orderbridge.domain.scope import StatusScope
from orderbridge.ports import UpstreamError
from orderbridge.settings import DEFAULT_CONFIG_FILE, Settings

from ._common import EXIT_CONFIG, EXIT_ORDERS_FAILED, console, errors, fail
from ._doctor import print_checks

__all__ = ["InitAnswers", "init", "write_private_file"]

VENDOR_SEARCH = "SYNNEX"


@dataclass
class InitAnswers:
    """Everything ``init`` writes, gathered from flags and prompts."""

    autotask_username: str = ""
    autotask_secret: str = ""
    integration_code: str = ""
    tdsynnex_customer: str = ""
    tdsynnex_user: str = ""
    tdsynnex_password: str = ""
    region: str = "US"
    environment: str = "production"
    autotask_base_url: str | None = None
    zone_lookup_url: str | None = None
    tdsynnex_status_url: str | None = None
    tdsynnex_invoice_url: str | None = None
    vendor_company_ids: list[int] = field(default_factory=list)
    frequency: str = "hourly"
    scope: str = "active"

    def missing(self) -> list[str]:
        """The flags a non-interactive run still needs."""
        required = {
            "--autotask-username": self.autotask_username,
            "--autotask-secret": self.autotask_secret,
            "--integration-code": self.integration_code,
            "--tdsynnex-customer": self.tdsynnex_customer,
            "--tdsynnex-user": self.tdsynnex_user,
            "--tdsynnex-password": self.tdsynnex_password,
        }
        return [flag for flag, value in required.items() if not value.strip()]

    def config(self) -> dict[str, Any]:
        """The configuration as TOML-able values (only keys settings.py knows)."""
        autotask: dict[str, Any] = {
            "username": self.autotask_username,
            "secret": self.autotask_secret,
            "integration_code": self.integration_code,
        }
        if self.autotask_base_url:
            autotask["base_url"] = self.autotask_base_url
        if self.zone_lookup_url:
            autotask["zone_lookup_url"] = self.zone_lookup_url
        if self.vendor_company_ids:
            autotask["vendor_company_ids"] = list(self.vendor_company_ids)
        tdsynnex: dict[str, Any] = {
            "region": self.region,
            "environment": self.environment,
            "customer_number": self.tdsynnex_customer,
            "user_id": self.tdsynnex_user,
            "password": self.tdsynnex_password,
        }
        if self.tdsynnex_status_url:
            tdsynnex["status_url"] = self.tdsynnex_status_url
        if self.tdsynnex_invoice_url:
            tdsynnex["invoice_url"] = self.tdsynnex_invoice_url
        sync = {"frequency": self.frequency, "scope": self.scope}
        return {"autotask": autotask, "tdsynnex": tdsynnex, "sync": sync}

    def settings(self) -> Settings:
        """Settings for the connection tests; exits with code 2 naming any invalid value."""
        try:
            return Settings.model_validate(self.config())
        except ValidationError as exc:
            lines = [
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            ]
            fail(lines, EXIT_CONFIG)


def write_private_file(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` with mode 0600 from creation on; replace only with ``force``."""
    data = text.encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if force else path
    # O_EXCL with mode 0600: the file never exists with wider permissions, not even briefly.
    fd = os.open(target, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        target.unlink(missing_ok=True)
        raise
    os.close(fd)
    if force:
        os.replace(target, path)


def _normalised(answers: InitAnswers) -> list[str]:
    """Canonical region, environment, frequency and scope; one problem line per bad value."""
    problems = []
    answers.region = answers.region.strip().upper()
    answers.environment = answers.environment.strip().lower()
    if answers.region not in ("US", "CA"):
        problems.append(f"--region: {answers.region!r} is not US or CA")
    if answers.environment not in ("production", "test"):
        problems.append(f"--environment: {answers.environment!r} is not production or test")
    try:
        answers.frequency = Frequency.parse(answers.frequency).text
    except ValueError as exc:
        problems.append(f"--frequency: {exc}")
    try:
        answers.scope = StatusScope.parse(answers.scope).text
    except ValueError as exc:
        problems.append(f"--scope: {exc}")
    if bool(answers.tdsynnex_status_url) != bool(answers.tdsynnex_invoice_url):
        problems.append("--tdsynnex-status-url and --tdsynnex-invoice-url: give both or neither")
    return problems


async def _vendor_candidates(settings: Settings) -> list[tuple[int, str]]:
    async with doctor_session(settings) as doctor:
        found = await doctor.upstream.autotask.vendors_named(VENDOR_SEARCH)
    return [(c.id, c.name) for c in found]


async def _connection_checks(settings: Settings) -> list[Check]:
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


def _pick_vendor(a: InitAnswers, candidates: list[tuple[int, str]], interactive: bool) -> None:
    """Choose the vendor company: a prompt, or the single match when not interactive."""
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
    console.print(f"Looking for vendor companies named like {VENDOR_SEARCH!r} in Autotask...")
    try:
        candidates = anyio.run(_vendor_candidates, a.settings())
    except UpstreamError as exc:
        errors.print(f"could not list vendor companies: {exc}", markup=False, highlight=False)
        return
    _pick_vendor(a, candidates, interactive)


def _gather(a: InitAnswers, interactive: bool) -> None:
    if interactive:
        _ask_credentials(a)
    elif a.missing():
        fail([f"{flag} is required with --non-interactive" for flag in a.missing()], EXIT_CONFIG)
    problems = _normalised(a)
    if problems:
        fail(problems, EXIT_CONFIG)
    if not a.vendor_company_ids:
        _find_vendor(a, interactive)
    if interactive:
        a.frequency = typer.prompt(
            "Update frequency (realtime, hourly, daily, or custom:15m)", default=a.frequency
        )
        a.scope = typer.prompt("Status scope (active, all, recent:30)", default=a.scope)
        problems = _normalised(a)
        if problems:
            fail(problems, EXIT_CONFIG)


def init(
    non_interactive: Annotated[
        bool, typer.Option("--non-interactive", help="Take every answer from flags.")
    ] = False,
    autotask_username: Annotated[str, typer.Option(help="Autotask API-only user.")] = "",
    autotask_secret: Annotated[
        str, typer.Option(envvar="ORDERBRIDGE_AUTOTASK__SECRET", help="Its secret.")
    ] = "",
    integration_code: Annotated[
        str,
        typer.Option(envvar="ORDERBRIDGE_AUTOTASK__INTEGRATION_CODE", help="API tracking id."),
    ] = "",
    tdsynnex_customer: Annotated[str, typer.Option(help="TD SYNNEX customer number.")] = "",
    tdsynnex_user: Annotated[str, typer.Option(help="TD SYNNEX XML user ID.")] = "",
    tdsynnex_password: Annotated[
        str, typer.Option(envvar="ORDERBRIDGE_TDSYNNEX__PASSWORD", help="Its password.")
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
        Path, typer.Option("--output", "-o", dir_okay=False, help="Where to write.")
    ] = Path(DEFAULT_CONFIG_FILE),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a configuration file after testing both connections."""
    if output.exists() and not force:
        fail([f"{output} already exists; pass --force to replace it"], EXIT_ORDERS_FAILED)
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
    )
    _gather(answers, interactive=not non_interactive)
    console.print("Testing the connections...")
    checks = anyio.run(_connection_checks, answers.settings())
    print_checks(checks)
    try:
        write_private_file(output, tomli_w.dumps(answers.config()), force=force)
    except FileExistsError:
        fail([f"{output} already exists; pass --force to replace it"], EXIT_ORDERS_FAILED)
    console.print(f"Wrote {escape(str(output))} (readable only by you).", highlight=False)
    if has_failures(checks):
        errors.print("A connection check failed: fix it in the file, then run orderbridge doctor.")
        raise typer.Exit(EXIT_ORDERS_FAILED)
