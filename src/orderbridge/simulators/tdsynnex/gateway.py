"""How injected faults look: the load balancer in front of TD SYNNEX answers, not the service."""

from __future__ import annotations

from starlette.responses import Response

from .wire import XML_DECLARATION

__all__ = ["GatewayResponder"]

_REASONS = {
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


class GatewayResponder:
    """HTML error pages for 4xx/5xx faults and a cut-off XML body for malformed ones."""

    def error_response(self, status: int, retry_after: int | None) -> Response:
        """The HTML page a load balancer sends with ``status``, with Retry-After if given."""
        reason = _REASONS.get(status, "Error")
        page = (
            f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        )
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return Response(page, status_code=status, media_type="text/html", headers=headers)

    def malformed_response(self) -> Response:
        """A 200 XML answer cut off half way through an element, with stray bytes after it."""
        body = (
            f"{XML_DECLARATION}<SynnexB2B>\n<OrderStatusResponse>\n"
            "<CustomerNumber>123456</CustomerNumber>\n<PONumber>PO-1"
        ).encode() + b"\x00\xff<Ite"
        return Response(body, status_code=200, media_type="application/xml")
