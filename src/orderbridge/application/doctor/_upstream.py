"""Doctor's upstream checks: Autotask zone, credentials, rights, budget; TD SYNNEX; vendor; scope.

A fixed handful of requests: the zone lookup (unless ``base_url`` is set), one
ThresholdInformation call (it proves the credentials and reads the budget), two
entityInformation reads, the vendor lookup, one count of the POs in scope, and one TD SYNNEX
status call for a PO number nobody uses (``notFound`` proves the account and IP are accepted).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from orderbridge.application.scope import SyncSetupError
from orderbridge.ports import (
    DistributorGateway,
    EntityAccess,
    MonitoredScope,
    ThresholdInfo,
    UpstreamAuthError,
    UpstreamBadPayload,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)

from ._findings import Check, Outcome, not_checked
from ._ports import AutotaskSetup

__all__ = ["BUDGET_FAIL", "BUDGET_WARN", "PROBE_PO_NUMBER", "AutotaskFindings", "UpstreamChecks"]

# A PO number no reseller uses: TD SYNNEX answers notFound when it accepts the caller.
PROBE_PO_NUMBER = "ORDERBRIDGE-DOCTOR-PROBE"
BUDGET_WARN = 0.5
BUDGET_FAIL = 0.9
ACCESS_ENTITIES = ("PurchaseOrders", "PurchaseOrderItems")

_FIX_USERNAME = (
    "Check autotask.username: it must be the API-only user's username exactly as Autotask shows it."
)
_FIX_NETWORK = (
    "Check that this server can reach Autotask (or set autotask.base_url to your zone's API URL), "
    "then run orderbridge doctor again."
)
_FIX_CREDENTIALS = (
    "Check autotask.secret and autotask.integration_code against the API-only user in Autotask "
    "(Admin > Resources/Users > the API user's API tracking identifier)."
)
_FIX_RIGHTS = (
    "Give the API user a security level with query and update access to Purchase Orders and "
    "Purchase Order Line Items (Admin > Security Levels > Inventory)."
)
_FIX_TD_IP = (
    "Ask your TD SYNNEX account team to add this server's public IP address to the XML "
    "allow-list for your account."
)
_FIX_TD_AUTH = (
    "Check tdsynnex.customer_number, tdsynnex.user_id and tdsynnex.password for the configured "
    "region and environment."
)
_FIX_TD_WORDS = (
    "TD SYNNEX answered with an error text orderbridge does not know (its real wording is not "
    "published). If it means the login was refused, add a distinctive part of it to "
    "tdsynnex.auth_error_texts; if this server's IP address was refused, to "
    "tdsynnex.ip_refusal_texts; then run orderbridge doctor again."
)
_FIX_AT_WORDS = (
    "Autotask answered with an error text orderbridge does not recognise (its wording for a bad "
    "username or integration code is not published). If it means the username is unknown, add "
    "a distinctive part of it to autotask.unknown_user_error_texts; if the integration code is "
    "wrong, to autotask.integration_code_error_texts; if the API user lacks a right, to "
    "autotask.permission_error_texts."
)
_FIX_TD_DOWN = (
    "Check that this server can reach the TD SYNNEX endpoint (tdsynnex.region and "
    "tdsynnex.environment, or tdsynnex.status_url), then run orderbridge doctor again."
)
_FIX_TD_INVOICES = (
    "Ask TD SYNNEX to enable the invoice query (a separate service) for your account and to "
    "allow this server's IP address on it, or set [tdsynnex] invoices = false. Status, shipments "
    "and ETAs sync either way."
)
_FIX_TD_INVOICES_DOWN = (
    "Check that this server can reach the TD SYNNEX invoice endpoint (tdsynnex.invoice_url, or "
    "region and environment); status, shipments and ETAs sync either way."
)
_FIX_TD_INVOICE_WORDS = (
    "The invoice query answered a test PO number with an error text orderbridge does not know. "
    "If it means there is no invoice for that PO, add a distinctive part of it to "
    "tdsynnex.not_found_texts; if the invoice service refused this account or IP address, to "
    "tdsynnex.auth_error_texts or tdsynnex.ip_refusal_texts."
)
_FIX_VENDOR_NAME = (
    "Set autotask.vendor_name to part of the TD SYNNEX vendor company's name, or "
    "autotask.vendor_company_ids to its company id."
)


def _fix_for(exc: UpstreamError) -> str:
    if isinstance(exc, UpstreamAuthError):
        return _FIX_CREDENTIALS
    if isinstance(exc, UpstreamRateLimited):
        return "Wait for Autotask's request budget to recover, then run orderbridge doctor again."
    if isinstance(exc, UpstreamUnavailable):
        return _FIX_NETWORK
    return "Read the error above; if it persists, set autotask.base_url to your zone's API URL."


def budget_check(budget: ThresholdInfo) -> Check:
    """How much of the hourly request budget is used: warn above 50 %, fail above 90 %."""
    used = budget.used_fraction
    detail = (
        f"{budget.current:,} of {budget.threshold:,} requests used in the current "
        f"{budget.timeframe_minutes}-minute window ({used:.0%}); every integration on the "
        "Autotask database shares this budget"
    )
    if used > BUDGET_FAIL:
        return Check(
            "Autotask request budget",
            Outcome.FAIL,
            detail,
            "Find the integration using the budget (Admin > Extensions & Integrations > API "
            "Activity by Hour) and lower orderbridge's update frequency until usage drops.",
        )
    if used > BUDGET_WARN:
        return Check(
            "Autotask request budget",
            Outcome.WARN,
            f"{detail}; above 50 % Autotask slows every request down",
            "Lower the update frequency or limit the status scope to active orders, and check "
            "which integrations use the budget (API Activity by Hour).",
        )
    return Check("Autotask request budget", Outcome.PASS, detail)


def access_check(rights: Sequence[EntityAccess]) -> Check:
    """Whether the API user can query and update every entity orderbridge writes."""
    problems = []
    for r in rights:
        if not r.can_query or r.query_access == "None":
            problems.append(f"{r.entity}: no query access (userAccessForQuery {r.query_access})")
        if not r.can_update or r.update_access == "None":
            problems.append(f"{r.entity}: no update access (userAccessForUpdate {r.update_access})")
    if problems:
        return Check("Autotask permissions", Outcome.FAIL, "; ".join(problems), _FIX_RIGHTS)
    shown = "; ".join(
        f"{r.entity}: query {r.query_access}, update {r.update_access}" for r in rights
    )
    restricted = [r.entity for r in rights if "All" not in (r.query_access, r.update_access)]
    if restricted:
        return Check(
            "Autotask permissions",
            Outcome.WARN,
            f"{shown}; restricted access may hide some purchase orders",
            _FIX_RIGHTS,
        )
    return Check("Autotask permissions", Outcome.PASS, shown)


def _never_ip(_exc: UpstreamAuthError) -> bool:
    return False


def _never_unrecognised(_exc: UpstreamError) -> bool:
    return False


def _credentials_fix(exc: UpstreamError) -> str:
    """A refusal Autotask worded in a way no configured text matched reads as a plain error."""
    plain = not isinstance(
        exc, UpstreamAuthError | UpstreamRateLimited | UpstreamUnavailable | UpstreamBadPayload
    )
    return _FIX_AT_WORDS if plain else _fix_for(exc)


@dataclass(frozen=True)
class AutotaskFindings:
    """The Autotask checks, and why the later Autotask checks cannot run (None when they can)."""

    checks: list[Check]
    blocked: str | None = None


@dataclass(frozen=True)
class UpstreamChecks:
    """The upstream checks; a failed Autotask step (``blocked``) skips the later ones."""

    autotask: AutotaskSetup
    distributor: DistributorGateway
    scope: Callable[[], Awaitable[MonitoredScope]]
    vendor_ids: Sequence[int] = ()
    vendor_name: str = "TD SYNNEX"
    base_url: str | None = None
    # Telling an IP allow-list refusal from bad credentials needs the adapter's error words.
    is_ip_refusal: Callable[[UpstreamAuthError], bool] = field(default=_never_ip)
    # An error text no configured word list recognised (the fix is a setting, not a password).
    is_unrecognised_text: Callable[[UpstreamError], bool] = field(default=_never_unrecognised)
    invoices: bool = True  # ``[tdsynnex] invoices``

    async def autotask_checks(self) -> AutotaskFindings:
        """Zone, credentials, rights and request budget."""
        try:
            url = await self.autotask.zone()
        except UpstreamError as exc:
            blocked = "the Autotask zone is unknown"
            fix = _FIX_USERNAME if isinstance(exc, UpstreamAuthError) else _fix_for(exc)
            names = ("Autotask credentials", "Autotask permissions", "Autotask request budget")
            zone = Check("Autotask zone", Outcome.FAIL, str(exc), fix)
            return AutotaskFindings([zone, *(not_checked(n, blocked) for n in names)], blocked)
        how = "set by autotask.base_url" if self.base_url else "found by zone discovery"
        checks = [Check("Autotask zone", Outcome.PASS, f"{url} ({how})")]
        try:
            budget = await self.autotask.threshold()
        except UpstreamError as exc:
            blocked = "Autotask refused the credentials"
            checks += [
                Check("Autotask credentials", Outcome.FAIL, str(exc), _credentials_fix(exc)),
                not_checked("Autotask permissions", blocked),
                not_checked("Autotask request budget", blocked),
            ]
            return AutotaskFindings(checks, blocked)
        checks.append(Check("Autotask credentials", Outcome.PASS, "accepted by Autotask"))
        checks.append(await self._access_check())
        checks.append(budget_check(budget))
        return AutotaskFindings(checks)

    async def _access_check(self) -> Check:
        try:
            rights = [await self.autotask.entity_access(e) for e in ACCESS_ENTITIES]
        except UpstreamError as exc:
            return Check("Autotask permissions", Outcome.FAIL, str(exc), _FIX_RIGHTS)
        return access_check(rights)

    async def distributor_check(self) -> Check:
        """A status call for a dummy PO: any answer, notFound included, proves the account."""
        name = "TD SYNNEX credentials"
        try:
            order = await self.distributor.get_order_status(PROBE_PO_NUMBER)
        except UpstreamAuthError as exc:
            fix = _FIX_TD_IP if self.is_ip_refusal(exc) else _FIX_TD_AUTH
            return Check(name, Outcome.FAIL, str(exc), fix)
        except UpstreamUnavailable as exc:
            return Check(name, Outcome.FAIL, str(exc), _FIX_TD_DOWN)
        except UpstreamError as exc:
            if self.is_unrecognised_text(exc):
                return Check(name, Outcome.FAIL, str(exc), _FIX_TD_WORDS)
            return Check(
                name,
                Outcome.FAIL,
                str(exc),
                "Check tdsynnex.status_url (or region and environment) points at TD SYNNEX's "
                "SynnexXML POStatus service.",
            )
        return Check(
            name,
            Outcome.PASS,
            f"accepted: a status request for a test PO number was answered ({order.code.value}), "
            "so the account and this server's IP address are allowed",
        )

    async def invoice_check(self) -> Check:
        """An invoice query for a dummy PO: the invoice service is a host of its own."""
        name = "TD SYNNEX invoices"
        if not self.invoices:
            return Check(
                name, Outcome.PASS, "invoice lookups are off ([tdsynnex] invoices = false)"
            )
        try:
            await self.distributor.get_invoices(po_number=PROBE_PO_NUMBER)
        except UpstreamAuthError as exc:
            return Check(name, Outcome.WARN, str(exc), _FIX_TD_INVOICES)
        except UpstreamError as exc:
            if self.is_unrecognised_text(exc):
                return Check(name, Outcome.WARN, str(exc), _FIX_TD_INVOICE_WORDS)
            return Check(name, Outcome.WARN, str(exc), _FIX_TD_INVOICES_DOWN)
        return Check(name, Outcome.PASS, "the invoice query answered for this account and IP")

    async def scope_checks(self, blocked: str | None) -> list[Check]:
        """The vendor company and how many POs are in scope."""
        vendor = await self.vendor_check(blocked)
        if blocked:
            return [vendor, not_checked("monitored purchase orders", blocked)]
        if vendor.outcome is Outcome.FAIL:
            return [vendor, not_checked("monitored purchase orders", "no vendor company")]
        return [vendor, await self._monitored_check()]

    async def vendor_check(self, blocked: str | None) -> Check:
        """The configured vendor ids exist and are vendors, or the name finds exactly one."""
        name = "TD SYNNEX vendor company"
        if blocked:
            return not_checked(name, blocked)
        try:
            if self.vendor_ids:
                return await self._configured_vendors(name)
            found = await self.autotask.vendors_named(self.vendor_name)
        except UpstreamError as exc:
            return Check(name, Outcome.FAIL, str(exc), _fix_for(exc))
        shown = ", ".join(f"{c.id} {c.name}" for c in found)
        if not found:
            detail = f"no vendor company's name contains {self.vendor_name!r}"
            return Check(name, Outcome.FAIL, detail, _FIX_VENDOR_NAME)
        if len(found) > 1:
            return Check(
                name,
                Outcome.WARN,
                f"{len(found)} vendor companies match {self.vendor_name!r}: {shown}; all are "
                "monitored",
                "Set autotask.vendor_company_ids to the ids of the TD SYNNEX companies to monitor.",
            )
        return Check(name, Outcome.PASS, f"found by name: {shown}")

    async def _configured_vendors(self, name: str) -> Check:
        found = {c.id: c for c in await self.autotask.companies(self.vendor_ids)}
        missing = [str(i) for i in self.vendor_ids if i not in found]
        not_vendors = [f"{c.id} {c.name}" for c in found.values() if not c.is_vendor]
        problems = []
        if missing:
            problems.append(f"no company with id {', '.join(missing)}")
        if not_vendors:
            problems.append(f"not a Vendor company: {', '.join(not_vendors)}")
        if problems:
            return Check(
                name,
                Outcome.FAIL,
                "; ".join(problems),
                "Set autotask.vendor_company_ids to the company id of the TD SYNNEX vendor "
                "company in Autotask (its type must be Vendor).",
            )
        shown = ", ".join(f"{c.id} {c.name}" for c in found.values())
        return Check(name, Outcome.PASS, f"configured: {shown}")

    async def _monitored_check(self) -> Check:
        name = "monitored purchase orders"
        try:
            scope = await self.scope()
            count = await self.autotask.monitored_count(scope)
        except UpstreamError as exc:
            return Check(name, Outcome.FAIL, str(exc), _fix_for(exc))
        except SyncSetupError as exc:
            return Check(name, Outcome.FAIL, str(exc), _FIX_VENDOR_NAME)
        except Exception as exc:  # the live scope is read from the store, whose errors vary
            return not_checked(name, f"the status scope could not be read: {exc}")
        statuses = ", ".join(scope.status_labels)
        noun = "purchase order" if count == 1 else "purchase orders"
        detail = f"{count} {noun} in scope (statuses {statuses})"
        if count == 0:
            return Check(
                name,
                Outcome.WARN,
                detail,
                "Check that the TD SYNNEX POs use the vendor company above and one of the "
                "monitored statuses (autotask.monitored_statuses).",
            )
        return Check(name, Outcome.PASS, detail)
