"""TD SYNNEX adapter: the SynnexXML POStatus and invoice-query client and parser.

Everything TD SYNNEX-specific (XML element names, hosts, error texts) lives in this package; it
hands the rest of orderbridge domain values (``DistributorOrder``, ``Invoice``) and typed errors.

Example::

    endpoints = endpoints_for(region="US", environment="production")
    async with TdSynnexClient(
        endpoints=endpoints, customer_number="123456", user_id="api@reseller.example",
        password=SecretStr("..."),
    ) as client:
        order = await client.get_order_status("PO-1001")
        invoices = await client.get_invoices(po_number="PO-1001")

Time zone: TD SYNNEX sends times without an offset and does not say which zone they are in
(probably US Pacific). They are read as UTC unless ``source_tz`` is given to the client or
parsers. See the module docstrings of ``_client``, ``_parse``, ``_invoices``, ``_values`` and
``_xml`` for the full contract.
"""

from __future__ import annotations

from ._client import TdSynnexClient
from ._endpoints import TdSynnexEndpoints, endpoints_for
from ._errors import (
    AuthFailed,
    BadPayload,
    InvalidRequest,
    IpNotAllowed,
    RateLimited,
    RequestRejected,
    TdSynnexError,
    TransientError,
    UnrecognisedError,
)

__all__ = [
    "AuthFailed",
    "BadPayload",
    "InvalidRequest",
    "IpNotAllowed",
    "RateLimited",
    "RequestRejected",
    "TdSynnexClient",
    "TdSynnexEndpoints",
    "TdSynnexError",
    "TransientError",
    "UnrecognisedError",
    "endpoints_for",
]
