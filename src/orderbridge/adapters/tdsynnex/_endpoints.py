"""Where the POStatus and invoice services live: US/CA, production/test, or explicit URLs.

Credentials travel in the request body, so plain ``http://`` is refused except for loopback
hosts (simulators) unless ``allow_plain_http`` is set on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["TdSynnexEndpoints", "endpoints_for"]

_STATUS_PATH = "/SynnexXML/POStatus"
_INVOICE_PATH = "/webservice/invoice/query"
_HOSTS: dict[tuple[str, str], tuple[str, str]] = {
    ("US", "production"): ("ec.us.tdsynnex.com", "ws.us.tdsynnex.com"),
    ("US", "test"): ("testec.us.tdsynnex.com", "testws.us.tdsynnex.com"),
    ("CA", "production"): ("ec.ca.tdsynnex.com", "ws.ca.tdsynnex.com"),
    ("CA", "test"): ("testec.ca.tdsynnex.com", "testws.ca.tdsynnex.com"),
}
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class TdSynnexEndpoints:
    """The two URLs the client posts to."""

    status_url: str
    invoice_url: str
    allow_plain_http: bool = False

    def __post_init__(self) -> None:
        for url in (self.status_url, self.invoice_url):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an http(s) URL: {url!r}")
            loopback = parts.hostname in _LOOPBACK or parts.hostname.startswith("127.")
            if parts.scheme == "http" and not (loopback or self.allow_plain_http):
                raise ValueError(
                    f"refusing plain http for {parts.hostname}: TD SYNNEX credentials travel in "
                    "the request body, use https"
                )

    @classmethod
    def at(cls, base_url: str, *, allow_plain_http: bool = False) -> TdSynnexEndpoints:
        """Both services under one base URL (a simulator or a relay)."""
        base = base_url.rstrip("/")
        return cls(
            status_url=base + _STATUS_PATH,
            invoice_url=base + _INVOICE_PATH,
            allow_plain_http=allow_plain_http,
        )


def endpoints_for(region: str = "US", environment: str = "production") -> TdSynnexEndpoints:
    """TD SYNNEX's hosts for ``region`` (US, CA) and ``environment`` (production, test)."""
    key = (region.strip().upper(), environment.strip().lower())
    if key[1] in ("prod", "live"):
        key = (key[0], "production")
    if key[1] in ("sandbox", "testing"):
        key = (key[0], "test")
    try:
        status_host, invoice_host = _HOSTS[key]
    except KeyError:
        raise ValueError(
            f"unknown TD SYNNEX region/environment {region!r}/{environment!r}; "
            "use US or CA, and production or test"
        ) from None
    return TdSynnexEndpoints(
        status_url=f"https://{status_host}{_STATUS_PATH}",
        invoice_url=f"https://{invoice_host}{_INVOICE_PATH}",
    )
