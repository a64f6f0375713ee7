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
retries, faults by kind and budget waits.
"""

from ._access import AutotaskAccess, CompanyRef, EntityAccess
from ._budget import (
    AutotaskBudget,
    BudgetStatus,
    BudgetStore,
    MemoryBudgetStore,
    ThresholdReading,
    database_key,
)
from ._client import AutotaskClient
from ._credentials import AutotaskCredentials
from ._errors import (
    AuthFailed,
    AutotaskError,
    BadPayload,
    BudgetExhausted,
    ErrorTexts,
    NotFoundError,
    PermissionDenied,
    QueryTooLarge,
    RateLimited,
    ThreadLimited,
    Unavailable,
    UnknownPicklistLabel,
    ValidationFailed,
)
from ._paging import PagingMode
from ._picklists import FieldInfo, PicklistCache, PicklistChoice
from ._purchase_orders import AutotaskPurchaseOrders
from ._query import Condition, F, Filter, Group, count_or_conditions, plan_queries
from ._service_info import DEFAULT_ZONE_LOOKUP_URL, ThresholdInfo

__all__ = [
    "DEFAULT_ZONE_LOOKUP_URL",
    "AuthFailed",
    "AutotaskAccess",
    "AutotaskBudget",
    "AutotaskClient",
    "AutotaskCredentials",
    "AutotaskError",
    "AutotaskPurchaseOrders",
    "BadPayload",
    "BudgetExhausted",
    "BudgetStatus",
    "BudgetStore",
    "CompanyRef",
    "Condition",
    "EntityAccess",
    "ErrorTexts",
    "F",
    "FieldInfo",
    "Filter",
    "Group",
    "MemoryBudgetStore",
    "NotFoundError",
    "PagingMode",
    "PermissionDenied",
    "PicklistCache",
    "PicklistChoice",
    "QueryTooLarge",
    "RateLimited",
    "ThreadLimited",
    "ThresholdInfo",
    "ThresholdReading",
    "Unavailable",
    "UnknownPicklistLabel",
    "ValidationFailed",
    "count_or_conditions",
    "database_key",
    "plan_queries",
]
