"""The Autotask PSA REST adapter: client, query builder, paging, picklists, PO gateway.

Autotask's JSON field names live only in this package; callers get domain ``PurchaseOrder`` and
``PurchaseOrderItem`` objects and typed ``AutotaskError`` subclasses. Example::

    creds = AutotaskCredentials(username="api@example.com", secret="...", integration_code="...")
    async with AutotaskClient(credentials=creds) as client:
        gateway = AutotaskPurchaseOrders(client)
        vendors = await gateway.vendor_ids_by_name("TD SYNNEX")
        orders = await gateway.monitored(vendor_ids=vendors, status_labels=["Submitted"])

Requests are held to a share of the database's hourly threshold and a per-endpoint thread cap
by an ``AutotaskBudget`` (one per Autotask database, shared by its clients); when it is spent a
call raises ``BudgetExhausted`` without sending anything. ``client.stats`` reports requests,
retries, faults by kind and budget waits; ``client.query`` takes filters built with ``F``.
"""

from ._access import AutotaskAccess
from ._budget import AutotaskBudget
from ._budget_shared import SharedBudgetStore
from ._client import AutotaskClient
from ._credentials import AutotaskCredentials
from ._errors import (
    AuthFailed,
    AutotaskError,
    BadPayload,
    BudgetExhausted,
    NotFoundError,
    PermissionDenied,
    RateLimited,
    ThreadLimited,
    Unavailable,
    ValidationFailed,
)
from ._metadata_cache import MetadataCache
from ._purchase_orders import AutotaskPurchaseOrders
from ._query import F, Filter

__all__ = [
    "AuthFailed",
    "AutotaskAccess",
    "AutotaskBudget",
    "AutotaskClient",
    "AutotaskCredentials",
    "AutotaskError",
    "AutotaskPurchaseOrders",
    "BadPayload",
    "BudgetExhausted",
    "F",
    "Filter",
    "MetadataCache",
    "NotFoundError",
    "PermissionDenied",
    "RateLimited",
    "SharedBudgetStore",
    "ThreadLimited",
    "Unavailable",
    "ValidationFailed",
]
