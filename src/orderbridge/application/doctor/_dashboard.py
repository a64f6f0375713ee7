"""Doctor's dashboard hint: whether order pages can link to the PO in Autotask.

Autotask documents no address for a PO's page, so ``[web] autotask_po_url`` is empty by default
and the dashboard shows no link until someone copies one from their browser. Doctor says so only
when the dashboard is switched on; the settings already refuse a template without ``{po_id}``.
"""

from __future__ import annotations

from ._findings import Check, Outcome

__all__ = ["DASHBOARD_CHECK_NAME", "dashboard_link_check"]

DASHBOARD_CHECK_NAME = "dashboard link to Autotask"

_FIX_PO_URL = (
    "Open a purchase order in Autotask, copy the address from the browser, put {po_id} where "
    "the PO's id is, and set it as [web] autotask_po_url; order pages then link to the PO."
)


def dashboard_link_check(*, dashboard_enabled: bool, po_url_template: str) -> Check | None:
    """PASS with the template, WARN when it is empty; None when the dashboard is off."""
    if not dashboard_enabled:
        return None
    if po_url_template:
        return Check(
            DASHBOARD_CHECK_NAME,
            Outcome.PASS,
            f"order pages link to the PO in Autotask through {po_url_template}",
        )
    return Check(
        DASHBOARD_CHECK_NAME,
        Outcome.WARN,
        "[web] autotask_po_url is empty, so order pages have no link to the PO in Autotask "
        "(Autotask documents no address for a PO's page)",
        _FIX_PO_URL,
    )
