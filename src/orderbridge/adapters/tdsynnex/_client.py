"""The async TD SYNNEX client: POStatus and invoice query over HTTPS, with retries.

Contract:

- ``get_order_status(po)`` returns a ``DistributorOrder``; an unknown PO is a normal answer with
  code ``NOT_FOUND`` and no lines.
- ``get_invoices(po_number=...)`` or ``get_invoices(order_number=...)`` returns a list; "not
  found" is ``[]``.
- Errors are ``TdSynnexError`` subclasses carrying the PO (or order) number: ``AuthFailed``
  (not retried), ``TransientError`` (HTTP 5xx/408, timeouts, dropped connections, transient
  error texts; retried), ``RateLimited`` (HTTP 429, ``Retry-After`` honoured; retried within the
  budget), ``BadPayload`` and ``RequestRejected`` (not retried), ``InvalidRequest``.
- ``request_count`` counts HTTP requests per kind; ``stats`` adds retries and faults by kind
  (see ``RequestStats``).
- Bodies are read as a stream and abandoned once past ``max_body_bytes`` (or at once when
  ``Content-Length`` says so).
- The password is sent only in the request body. It never appears in logs or error text; text
  the server sends back is scrubbed of it before being quoted.
- The transport is the seam for tests: pass any ``httpx2.AsyncBaseTransport``. Without one,
  requests go over ``KeepAliveTransport`` (ADR 0052), with ``httpx2.AsyncClient`` in front.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, tzinfo
from typing import TypeVar
from urllib.parse import urlsplit

import httpx2
from pydantic import SecretStr

from orderbridge.adapters._http import PooledClient
from orderbridge.adapters._keepalive import KeepAliveTransport
from orderbridge.adapters._retry import (
    RequestTally,
    RetryPolicy,
    call_with_retry,
    parse_retry_after,
)
from orderbridge.domain.models import DistributorOrder, Invoice
from orderbridge.redaction import redact

from ._endpoints import TdSynnexEndpoints
from ._errors import (
    AuthFailed,
    BadPayload,
    ErrorVocabulary,
    RateLimited,
    RequestRejected,
    TdSynnexError,
    TransientError,
    UnrecognisedError,
    fault_kind,
)
from ._invoices import parse_invoices
from ._parse import find_error, parse_order_status
from ._requests import Credentials, invoice_request, order_status_request
from ._xml import DEFAULT_MAX_BODY_BYTES, read_document

__all__ = ["INVOICES", "ORDER_STATUS", "TdSynnexClient"]

_log = logging.getLogger("orderbridge.adapters.tdsynnex")
ORDER_STATUS = "order_status"
INVOICES = "invoices"
_Ids = dict[str, str | None]
T = TypeVar("T")


class TdSynnexClient(PooledClient):
    """Async client for one TD SYNNEX account (customer number) in one region."""

    def __init__(
        self,
        *,
        endpoints: TdSynnexEndpoints,
        customer_number: str,
        user_id: str,
        password: SecretStr | str,
        timeout_s: float = 30.0,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        transport: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        status_version: str = "2.7",
        invoice_version: str = "2.2",
        source_tz: tzinfo = UTC,
        vocabulary: ErrorVocabulary | None = None,
    ) -> None:
        secret = password.get_secret_value() if isinstance(password, SecretStr) else password
        self._credentials = Credentials(customer_number, user_id, secret)
        self._endpoints = endpoints
        self._timeout_s = timeout_s
        self._max_body_bytes = max_body_bytes
        self._retry = retry or RetryPolicy()
        self._status_version = status_version
        self._invoice_version = invoice_version
        self._source_tz = source_tz
        self._vocabulary = vocabulary or ErrorVocabulary()
        self._tally = RequestTally((ORDER_STATUS, INVOICES))
        self._urls: dict[str, tuple[httpx2.URL, str]] = {}
        self._http = httpx2.AsyncClient(
            # One small POST per order checked: the lean transport costs a fraction of the CPU
            # of httpx2's default one (ADR 0052). Proxied URLs still use httpx2's own.
            transport=transport if transport is not None else KeepAliveTransport(),
            timeout=timeout_s,
            follow_redirects=False,
            headers={
                "Content-Type": "application/xml; charset=utf-8",
                "Accept": "application/xml, text/xml",
                "User-Agent": "orderbridge",
            },
        )

    def __repr__(self) -> str:
        return (
            f"TdSynnexClient(status_url={self._endpoints.status_url!r}, "
            f"customer_number={self._credentials.customer_number!r})"
        )

    async def get_order_status(self, po_number: str) -> DistributorOrder:
        """TD SYNNEX's current status of one PO."""
        ids: _Ids = {"po_number": po_number}
        body = self._guard(
            lambda: order_status_request(self._credentials, po_number, version=self._status_version)
        )

        async def attempt(budget_s: float) -> DistributorOrder:
            raw = await self._exchange(
                ORDER_STATUS, self._endpoints.status_url, body, budget_s, ids
            )
            return parse_order_status(
                raw,
                po_number=po_number,
                source_tz=self._source_tz,
                max_bytes=self._max_body_bytes,
                vocabulary=self._vocabulary,
            )

        return await self._run(ORDER_STATUS, attempt, f"TD SYNNEX order status for PO {po_number}")

    async def get_invoices(
        self, *, po_number: str | None = None, order_number: str | None = None
    ) -> list[Invoice]:
        """Every invoice for a PO number or for one TD SYNNEX sales-order number."""
        ids: _Ids = {"po_number": po_number, "order_number": order_number}
        body = self._guard(
            lambda: invoice_request(
                self._credentials,
                po_number=po_number,
                order_number=order_number,
                version=self._invoice_version,
            )
        )

        async def attempt(budget_s: float) -> list[Invoice]:
            raw = await self._exchange(INVOICES, self._endpoints.invoice_url, body, budget_s, ids)
            return parse_invoices(
                raw,
                po_number=po_number,
                order_number=order_number,
                max_bytes=self._max_body_bytes,
                vocabulary=self._vocabulary,
            )

        subject = f"PO {po_number}" if po_number else f"order {order_number}"
        return await self._run(INVOICES, attempt, f"TD SYNNEX invoices for {subject}")

    def _guard(self, build: Callable[[], bytes]) -> bytes:
        try:
            body = build()
        except TdSynnexError as exc:
            raise self._scrubbed(exc) from None
        return body

    async def _run(self, kind: str, attempt: Callable[[float], Awaitable[T]], what: str) -> T:
        try:
            return await call_with_retry(
                attempt,
                self._retry,
                endpoint=kind,
                tally=self._tally,
                fault_kind=fault_kind,
                retry_on=(TransientError,),
                what=what,
            )
        except TdSynnexError as exc:
            raise self._scrubbed(exc) from exc.__cause__

    def _scrubbed(self, exc: TdSynnexError) -> TdSynnexError:
        secrets = [self._credentials.password]
        clean = redact(exc.message, secrets)
        if clean != exc.message:
            exc.message = clean
            exc.args = (clean,)
        if isinstance(exc, UnrecognisedError):
            exc.text = redact(exc.text, secrets)
        return exc

    async def _exchange(
        self, kind: str, url: str, body: bytes, budget_s: float, ids: _Ids
    ) -> bytes:
        parsed = self._urls.get(url)
        if parsed is None:  # parsed once: httpx2 would parse the text on every request
            parsed = self._urls[url] = (httpx2.URL(url), urlsplit(url).hostname or url)
        target, host = parsed
        timeout = min(self._timeout_s, budget_s)
        self._tally.requests[kind] += 1
        _log.debug("TD SYNNEX %s request to %s (%s)", kind, host, ids)
        try:
            async with self._http.stream("POST", target, content=body, timeout=timeout) as response:
                self._check_length(response.headers, ids)
                raw = await self._read_capped(response, ids)
                status, headers = response.status_code, response.headers
        except httpx2.TimeoutException:
            raise TransientError(
                f"no answer from {host} within {timeout:.1f}s", fault="timeout", **ids
            ) from None
        except httpx2.DecodingError as exc:
            raise BadPayload(
                f"TD SYNNEX's answer from {host} could not be decoded ({exc})", **ids
            ) from None
        except httpx2.TransportError as exc:
            raise TransientError(
                f"the connection to {host} failed ({type(exc).__name__}: {exc})",
                fault="dropped",
                **ids,
            ) from None
        if not 200 <= status < 300:
            raise self._status_error(status, headers, raw, host, ids)
        return raw

    def _check_length(self, headers: httpx2.Headers, ids: _Ids) -> None:
        declared = headers.get("content-length")
        if declared and declared.strip().isdigit() and int(declared) > self._max_body_bytes:
            raise BadPayload(
                f"TD SYNNEX's answer is {int(declared):,} bytes, over the "
                f"{self._max_body_bytes:,}-byte limit",
                **ids,
            )

    async def _read_capped(self, response: httpx2.Response, ids: _Ids) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_body_bytes:
                raise BadPayload(
                    f"TD SYNNEX's answer is over the {self._max_body_bytes:,}-byte limit", **ids
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _status_error(
        self, status: int, headers: httpx2.Headers, raw: bytes, host: str, ids: _Ids
    ) -> TdSynnexError:
        reported = self._reported_error(raw, ids)
        if status == 429:
            retry_after = parse_retry_after(headers.get("retry-after"))
            return RateLimited(
                f"{host} is rate limiting requests (HTTP 429)", retry_after=retry_after, **ids
            )
        if status in (401, 403):
            if isinstance(reported, AuthFailed):
                return reported
            return AuthFailed(
                f"{host} refused access (HTTP {status}); check the credentials and that this "
                "server's IP address is on TD SYNNEX's allow-list",
                **ids,
            )
        if status == 408 or status >= 500:
            return TransientError(f"{host} answered HTTP {status}", fault="http_5xx", **ids)
        if reported is not None:
            return reported
        return RequestRejected(f"{host} answered HTTP {status}; check the endpoint URL", **ids)

    def _reported_error(self, raw: bytes, ids: _Ids) -> TdSynnexError | None:
        try:
            root = read_document(raw, max_bytes=self._max_body_bytes)
        except BadPayload:
            return None
        return find_error(
            root,
            vocabulary=self._vocabulary,
            po_number=ids.get("po_number"),
            order_number=ids.get("order_number"),
        )
