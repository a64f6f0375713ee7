"""XML text building for SynnexXML answers: element writer, value formats, error bodies."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from starlette.responses import Response

from orderbridge.simulators.scenario import TdErrorStyle

from .codes import Variant

# SynnexXML writes times without an offset; its guide's examples are US Pacific (PST, -08:00).
WIRE_ZONE: tzinfo = ZoneInfo("America/Los_Angeles")

__all__ = [
    "XML_DECLARATION",
    "XmlWriter",
    "error_body",
    "xml_response",
]

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
XML_MEDIA_TYPE = "application/xml"


class XmlWriter:
    """Append-only XML text with the value formats one order's variants ask for."""

    __slots__ = (
        "_cap",
        "_date_only",
        "_datetime_dates",
        "_empty",
        "_money_commas",
        "_upper",
        "_zone",
        "parts",
    )

    def __init__(
        self,
        variants: frozenset[str] = frozenset(),
        *,
        uppercase: bool = False,
        version_cap: tuple[int, ...] | None = None,
        zone: tzinfo = WIRE_ZONE,
    ) -> None:
        self.parts: list[str] = []
        self._empty = Variant.EMPTY_ELEMENTS.value in variants
        self._money_commas = Variant.THOUSANDS_SEPARATORS.value in variants
        self._date_only = Variant.DATE_ONLY.value in variants
        self._datetime_dates = Variant.DATETIME_DATES.value in variants
        self._upper = uppercase or Variant.UPPERCASE_CODES.value in variants
        self._cap = version_cap
        self._zone = zone

    def text(self) -> str:
        """Everything written so far."""
        return "".join(self.parts)

    def open(self, name: str, **attrs: str) -> None:
        """Start element ``name``."""
        extra = "".join(f" {key}={quoteattr(value)}" for key, value in attrs.items())
        self.parts.append(f"<{name}{extra}>")

    def close(self, name: str) -> None:
        """End element ``name``."""
        self.parts.append(f"</{name}>\n")

    def el(self, name: str, value: str | None, *, keep_empty: bool = False) -> None:
        """A text element; an absent value is left out unless empty elements are wanted."""
        if value is None or value == "":
            if keep_empty or value == "" or self._empty:
                self.parts.append(f"<{name}></{name}>")
            return
        self.parts.append(f"<{name}>{escape(value)}</{name}>")

    def date_el(self, name: str, value: date | None) -> None:
        """A date element; absent dates become ``<Name/>`` when empty elements are wanted."""
        if value is None:
            if self._empty:
                self.parts.append(f"<{name}/>")
            return
        self.parts.append(f"<{name}>{self.date(value)}</{name}>")

    def allows(self, name: str, introduced: dict[str, tuple[int, ...]]) -> bool:
        """Whether an optional element is inside the version cap."""
        since = introduced.get(name)
        return since is None or self._cap is None or since <= self._cap

    def code(self, value: str) -> str:
        """A status code in the casing this answer uses."""
        return value.upper() if self._upper else value

    def money(self, value: Decimal) -> str:
        """An amount with two decimals, with thousands separators when asked."""
        return f"{value:,.2f}" if self._money_commas else f"{value:.2f}"

    def date(self, value: date) -> str:
        """A date, or a midnight date-time when the variant asks for it."""
        text = value.isoformat()
        return f"{text}T00:00:00" if self._datetime_dates else text

    def datetime(self, value: datetime) -> str:
        """A wall-clock date-time without offset (in the service's zone), or only its date."""
        local = value.astimezone(self._zone) if value.tzinfo is not None else value
        if self._date_only:
            return local.date().isoformat()
        return local.strftime("%Y-%m-%dT%H:%M:%S")


def xml_response(body: str) -> Response:
    """A 200 ``application/xml`` answer; SynnexXML reports business errors this way too."""
    return Response(body.encode(), status_code=200, media_type=XML_MEDIA_TYPE)


def error_body(
    message: str,
    detail: str,
    *,
    style: TdErrorStyle = TdErrorStyle.LOWER,
    response_element: str = "OrderStatusResponse",
) -> str:
    """A top-level error document in ``style``; ``response_element`` wraps the nested form."""
    text, more = escape(message), escape(detail)
    if style is TdErrorStyle.BIZ_ERROR or style is TdErrorStyle.BIZ_ERROR_LOWER:
        name = style.value
        inner = f"<{name}>\n<code>{text}</code>\n<detail>{more}</detail>\n</{name}>\n"
    elif style is TdErrorStyle.LOWER:
        inner = f"<errorMessage>{text}</errorMessage>\n<errorDetail>{more}</errorDetail>\n"
    else:
        inner = f"<ErrorMessage>{text}</ErrorMessage>\n<ErrorDetail>{more}</ErrorDetail>\n"
        if style is TdErrorStyle.NESTED:
            inner = f"<{response_element}>\n{inner}</{response_element}>\n"
    return f"{XML_DECLARATION}<SynnexB2B>\n{inner}</SynnexB2B>\n"
