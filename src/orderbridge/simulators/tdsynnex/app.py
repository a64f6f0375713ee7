"""The SynnexXML service routes: POStatus, the invoice query and (not simulated) PO submit.

``/SynnexXML/PO`` answers an ``OrderStatusRequest`` like POStatus does, because one published
client posts status requests there; whether the real service routes by the request element is
UNCONFIRMED (ADR 0025). An ``OrderRequest`` there is authenticated, then refused as not simulated.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from orderbridge.simulators._common import SimClock
from orderbridge.simulators.scenario import TdErrorStyle, TdState

from .config import TdSynnexSimConfig, parse_version
from .gateway import GatewayResponder
from .invoices import build_invoices
from .orders import OrderBook, OrderRecord
from .render_invoice import render_invoice_error, render_invoices
from .render_status import render_not_found, render_status
from .requests import (
    INCOMPLETE_XML,
    B2BRequest,
    BodyTooLarge,
    RequestRefused,
    check_media_type,
    parse_request,
    read_capped,
)
from .shipments import build_status
from .wire import error_body, xml_response

__all__ = ["ENDPOINTS", "SynnexXmlService", "endpoint_of"]

ENDPOINTS = {
    "/SynnexXML/POStatus": "POStatus",
    "/webservice/invoice/query": "InvoiceQuery",
    "/SynnexXML/PO": "PO",
}

# The answer element each request element gets; the nested error form goes inside it.
_RESPONSE_ELEMENTS = {
    "OrderStatusRequest": "OrderStatusResponse",
    "InvoiceRequest": "InvoiceResponse",
    "OrderRequest": "OrderResponse",
}


def endpoint_of(method: str, path: str) -> str:
    """The counter/fault name of a request path (``other`` for anything unknown)."""
    return ENDPOINTS.get(path.rstrip("/") or "/", "other")


def _elapsed(started: float) -> str:
    return f"{perf_counter() - started:.3f}s"


class SynnexXmlService:
    """Answers SynnexXML requests from an order book, the way the real service would."""

    def __init__(self, config: TdSynnexSimConfig, orders: OrderBook, clock: SimClock) -> None:
        self.config = config
        self.orders = orders
        self.clock = clock
        self.error_style: TdErrorStyle = config.error_style
        self._gateway = GatewayResponder()

    def routes(self) -> list[Route]:
        """The public routes."""
        return [
            Route("/SynnexXML/POStatus", self.post_status, methods=["POST"]),
            Route("/webservice/invoice/query", self.post_invoice, methods=["POST"]),
            Route("/SynnexXML/PO", self.post_po, methods=["POST"]),
        ]

    async def post_status(self, request: Request) -> Response:
        """``POST /SynnexXML/POStatus``: the status of one PO."""
        return await self._handle(request, "OrderStatusRequest", self._status)

    async def post_invoice(self, request: Request) -> Response:
        """``POST /webservice/invoice/query``: invoices by PO number or order number."""
        return await self._handle(request, "InvoiceRequest", self._invoices)

    async def post_po(self, request: Request) -> Response:
        """``POST /SynnexXML/PO``: a status request is answered, an order is refused."""
        return await self._handle(
            request, ("OrderRequest", "OrderStatusRequest"), self._po, needs_key=False
        )

    async def _handle(
        self,
        request: Request,
        kinds: str | tuple[str, ...],
        answer: Callable[[B2BRequest, float], str],
        *,
        needs_key: bool = True,
    ) -> Response:
        started = perf_counter()
        kind = kinds if isinstance(kinds, str) else kinds[0]
        try:
            self._check_ip(request, invoice=kind == "InvoiceRequest")
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.config.max_body_bytes:
                raise BodyTooLarge(declared)
            if self.config.strict_content_type:
                check_media_type(request.headers.get("content-type"))
            body = await read_capped(request.stream(), self.config.max_body_bytes)
            parsed = parse_request(body, kinds, needs_key=needs_key)
            kind = parsed.kind
            self._authenticate(parsed)
            return xml_response(answer(parsed, started))
        except RequestRefused as refused:
            body_text = error_body(
                refused.message,
                refused.detail,
                style=self.error_style,
                response_element=_RESPONSE_ELEMENTS.get(kind, "OrderStatusResponse"),
            )
            return xml_response(body_text)
        except BodyTooLarge:
            # A front-end proxy, not the XML service, refuses oversized bodies.
            return self._gateway.error_response(413, None)

    def _check_ip(self, request: Request, *, invoice: bool) -> None:
        allowed = self.config.allowed_ips
        if invoice and self.config.invoice_allowed_ips is not None:
            allowed = self.config.invoice_allowed_ips  # the invoice host's own allow-list
        if allowed is None:
            return
        client = request.client.host if request.client is not None else ""
        if client not in allowed:
            raise RequestRefused(
                self.config.ip_error_message, f"{client} is not registered for XML access."
            )

    def _authenticate(self, parsed: B2BRequest) -> None:
        user = parsed.user_id.casefold()
        mine = [
            a
            for a in self.config.accounts()
            if a.user_id.casefold() == user and a.password == parsed.password
        ]
        if not mine:
            raise RequestRefused(self.config.auth_error_message, self.config.auth_error_detail)
        if parsed.customer_number not in {a.customer_number for a in mine}:
            raise RequestRefused(
                self.config.customer_error_message,
                f"Customer number {parsed.customer_number} is not linked to this user.",
            )

    def _visible(self, record: OrderRecord | None, customer_number: str) -> OrderRecord | None:
        if record is None or record.customer_number != customer_number:
            return None
        return record

    def _cap(self, parsed: B2BRequest) -> tuple[int, ...] | None:
        caps = [self.config.field_cap()]
        if self.config.honour_request_version:
            caps.append(parse_version(parsed.version))
        known = [c for c in caps if c is not None]
        return min(known) if known else None

    def _status(self, parsed: B2BRequest, started: float) -> str:
        if parsed.po_number is None:
            raise RequestRefused(
                INCOMPLETE_XML, "Missing required element OrderStatusRequest/PONumber."
            )
        record = self._visible(self.orders.get(parsed.po_number), parsed.customer_number)
        now = self.clock.now()
        if record is None:
            code = "NOTFOUND" if self.config.uppercase_codes else "notFound"
            return render_not_found(
                parsed.customer_number, parsed.po_number, now, _elapsed(started), code=code
            )
        return render_status(
            record,
            now,
            _elapsed(started),
            uppercase=self.config.uppercase_codes,
            cap=self._cap(parsed),
            zone=self.config.zone,
            error_style=self.error_style,
        )

    def _invoices(self, parsed: B2BRequest, started: float) -> str:
        customer = parsed.customer_number
        po = parsed.po_number
        if po is None and parsed.order_number is not None:
            po = self.orders.po_for_order_number(parsed.order_number)
        record = self._visible(self.orders.get(po) if po else None, customer)
        if record is None or record.state is TdState.NOT_FOUND:
            what = (
                f"PO# {parsed.po_number}" if parsed.po_number else f"Order# {parsed.order_number}"
            )
            return render_invoice_error(
                customer, parsed.po_number, self.config.invoice_not_found_code, f"{what} not found."
            )
        invoices = build_invoices(record, build_status(record))
        if parsed.order_number is not None:
            invoices = [i for i in invoices if parsed.order_number in i.order_numbers]
        if not invoices:
            return render_invoice_error(
                customer,
                record.po_number,
                self.config.invoice_not_invoiced_code,
                f"No invoice found for PO# {record.po_number}.",
            )
        return render_invoices(
            record, invoices, ship_to=self.config.ship_to_name, customer_number=customer
        )

    def _po(self, parsed: B2BRequest, started: float) -> str:
        if parsed.kind == "OrderStatusRequest":
            return self._status(parsed, started)
        return self._submit(parsed, started)

    def _submit(self, parsed: B2BRequest, started: float) -> str:
        raise RequestRefused(
            "NotSimulated",
            "Order submission is not simulated. Seed orders through the /_sim/ admin API.",
        )
