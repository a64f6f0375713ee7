"""The carriers' token and tracking endpoints, at their real paths and in their real shapes."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orderbridge.simulators._common import SimClock

from .access import CarrierAccess
from .config import CarrierSimConfig
from .packages import PackageBook
from .render import dhl_shipment, fedex_result, fedex_unknown, ups_package, usps_details

__all__ = ["CarrierService", "error_body"]

PROBLEM = "application/problem+json"


def error_body(carrier: str, status: int, code: str, message: str) -> dict[str, Any]:
    """An error in the carrier's own shape."""
    if carrier == "ups":
        return {"response": {"errors": [{"code": code, "message": message}]}}
    if carrier == "fedex":
        return {
            "transactionId": str(uuid.uuid4()),
            "errors": [{"code": code, "message": message}],
        }
    if carrier == "usps":
        return {
            "apiVersion": "/tracking/v3",
            "error": {
                "code": str(status),
                "message": message,
                "errors": [{"status": str(status), "code": code, "title": message}],
            },
        }
    return {"status": status, "title": code, "detail": message}


class CarrierService:
    """One carrier's API over a package book, with tokens, limits and the sim clock."""

    def __init__(
        self,
        config: Callable[[], CarrierSimConfig],
        book: PackageBook,
        clock: SimClock,
        access: CarrierAccess,
    ) -> None:
        self._config = config
        self._book = book
        self._clock = clock
        self._access = access

    @property
    def carrier(self) -> str:
        """The carrier this service is (ups, fedex, usps, dhl)."""
        return self._config().carrier

    def _error(
        self, status: int, code: str, message: str, retry_after: float | None = None
    ) -> JSONResponse:
        headers = {"Retry-After": str(int(retry_after + 0.999))} if retry_after else None
        media = PROBLEM if self.carrier == "dhl" else "application/json"
        body = error_body(self.carrier, status, code, message)
        return JSONResponse(body, status_code=status, headers=headers, media_type=media)

    def routes(self) -> list[Route]:
        """The routes of this carrier only."""
        return {
            "ups": [
                Route("/security/v1/oauth/token", self.ups_token, methods=["POST"]),
                Route("/api/track/v1/details/{number}", self.ups_track, methods=["GET"]),
            ],
            "fedex": [
                Route("/oauth/token", self.form_token, methods=["POST"]),
                Route("/track/v1/trackingnumbers", self.fedex_track, methods=["POST"]),
            ],
            "usps": [
                Route("/oauth2/v3/token", self.form_token, methods=["POST"]),
                Route("/tracking/v3/tracking/{number}", self.usps_track, methods=["GET"]),
            ],
            "dhl": [Route("/track/shipments", self.dhl_track, methods=["GET"])],
        }[self.carrier]

    # --- tokens -------------------------------------------------------------------------

    def _token_reply(self, config: CarrierSimConfig) -> JSONResponse:
        token = self._access.issue(config, self._clock.now())
        issued_ms = int(token.issued_at.timestamp() * 1000)
        if config.carrier == "ups":
            body: dict[str, Any] = {
                "token_type": "Bearer",
                "issued_at": str(issued_ms),
                "client_id": config.client_id,
                "access_token": token.value,
                "expires_in": str(config.token_lifetime_s),
                "status": "approved",
            }
        elif config.carrier == "fedex":
            body = {
                "access_token": token.value,
                "token_type": "bearer",
                "expires_in": config.token_lifetime_s,
                "scope": "CXS-TP",
            }
        else:
            body = {
                "access_token": token.value,
                "token_type": "Bearer",
                "issued_at": issued_ms,
                "expires_in": config.token_lifetime_s,
                "status": "approved",
                "scope": " ".join(token.scopes),
                "issuer": "api.usps.com",
                "client_id": config.client_id,
                "api_products": "[Public Access]",
            }
        return JSONResponse(body)

    async def ups_token(self, request: Request) -> Response:
        """UPS: Basic client_id:client_secret, form grant_type=client_credentials."""
        config = self._config()
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            pair = base64.b64decode(encoded.strip(), validate=True).decode()
        except ValueError:
            pair = ""
        form = parse_qs((await request.body()).decode("latin-1"))
        if form.get("grant_type") != ["client_credentials"]:
            return self._error(400, "10400", "Invalid/Missing grant_type")
        if scheme.casefold() != "basic" or pair != f"{config.client_id}:{config.client_secret}":
            return self._error(401, "10401", "ClientId is Invalid")
        return self._token_reply(config)

    async def form_token(self, request: Request) -> Response:
        """FedEx and USPS: client id and secret in the form body."""
        config = self._config()
        form = parse_qs((await request.body()).decode("latin-1"))
        if form.get("grant_type") != ["client_credentials"]:
            if config.carrier == "usps":
                return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
            return self._error(400, "BAD.REQUEST.ERROR", "The given grant_type is not supported.")
        good = form.get("client_id") == [config.client_id] and form.get("client_secret") == [
            config.client_secret
        ]
        if not good:
            if config.carrier == "usps":
                return JSONResponse(
                    {
                        "error": "invalid_client",
                        "error_description": "Client authentication failed.",
                    },
                    status_code=401,
                )
            return self._error(
                401,
                "NOT.AUTHORIZED.ERROR",
                "The given client credentials were not valid. Please modify your request and "
                "try again.",
            )
        return self._token_reply(config)

    # --- tracking -----------------------------------------------------------------------

    async def ups_track(self, request: Request) -> Response:
        """UPS: one number; unknown numbers are a warning inside HTTP 200."""
        now = self._clock.now()
        if self._access.bearer(request.headers.get("authorization"), now) is None:
            return self._error(401, "250002", "Invalid Authentication Information.")
        if not request.headers.get("transid") or not request.headers.get("transactionsrc"):
            return self._error(400, "TV1001", "Missing transId or transactionSrc header")
        number = request.path_params["number"]
        if not 7 <= len(number) <= 34 or not number.isalnum():
            return self._error(400, "TV1002", "Invalid inquiry number")
        package = self._book.get("ups", number)
        shipment: dict[str, Any] = {"inquiryNumber": number}
        if package is None or not package.visible(now):
            shipment["warnings"] = [{"code": "TW0001", "message": "Tracking Information Not Found"}]
        else:
            shipment["package"] = [ups_package(package, package.visible(now))]
        return JSONResponse({"trackResponse": {"shipment": [shipment]}})

    async def fedex_track(self, request: Request) -> Response:
        """FedEx: up to 30 numbers; per-number errors inside a 200."""
        config, now = self._config(), self._clock.now()
        if self._access.bearer(request.headers.get("authorization"), now) is None:
            return self._error(
                401,
                "NOT.AUTHORIZED.ERROR",
                "Access token expired. Please modify your request and try again.",
            )
        try:
            data = json.loads(await request.body())
            infos = data["trackingInfo"]
            numbers = [str(i["trackingNumberInfo"]["trackingNumber"]) for i in infos]
        except (ValueError, KeyError, TypeError):
            return self._error(400, "INVALID.INPUT.EXCEPTION", "Invalid field value in the input")
        if not numbers:
            return self._error(
                400, "TRACKING.TRACKINGNUMBER.EMPTY", "Please provide tracking number."
            )
        if len(numbers) > config.batch_limit:
            return self._error(
                400,
                "TRACKING.TRACKINGNUMBER.LIMITEXCEEDED",
                f"Maximum limit is {config.batch_limit} tracking numbers per request.",
            )
        complete, unknown = [], False
        for number in numbers:
            package = self._book.get("fedex", number)
            seen = package.visible(now) if package is not None else []
            if package is None or not seen:
                unknown = True
                results = [fedex_unknown(number)]
            else:
                results = [fedex_result(package, seen)]
                if package.duplicate:
                    results.insert(0, fedex_result(package, seen, older=True))
            complete.append({"trackingNumber": number, "trackResults": results})
        output: dict[str, Any] = {"completeTrackResults": complete}
        if unknown:
            # The spec says an array of objects; real answers send a string.
            output["alerts"] = "TRACKING.DATA.NOTFOUND -  Tracking data unavailable"
        return JSONResponse(
            {
                "transactionId": str(uuid.uuid4()),
                "customerTransactionId": request.headers.get("x-customer-transaction-id"),
                "output": output,
            }
        )

    async def usps_track(self, request: Request) -> Response:
        """USPS: one number; the tracking scope and the hourly limit are enforced."""
        config, now = self._config(), self._clock.now()
        token = self._access.bearer(request.headers.get("authorization"), now)
        if token is None:
            return self._error(401, "401", "Unauthorized: the access token is invalid or expired")
        if "tracking" not in token.scopes:
            return self._error(
                401, "401", "Insufficient scope: the token does not include 'tracking'"
            )
        wait = self._access.spend(config, now)
        if wait is not None:
            return self._error(429, "429", "Too many requests: hourly quota exceeded", wait)
        number = request.path_params["number"]
        package = self._book.get("usps", number)
        if package is None or not package.visible(now):
            return self._error(404, "404", "The tracking number could not be found")
        details = usps_details(package, package.visible(now))
        if request.query_params.get("expand", "SUMMARY").upper() != "DETAIL":
            details = {"trackingNumber": number, "statusSummary": details["statusSummary"]}
        return JSONResponse(details)

    async def dhl_track(self, request: Request) -> Response:
        """DHL Unified: API key header, problem+json errors, a daily limit."""
        config, now = self._config(), self._clock.now()
        if request.headers.get("dhl-api-key") != config.api_key:
            return self._error(401, "Unauthorized", "Invalid API key")
        number = request.query_params.get("trackingNumber", "").strip()
        if not number:
            return self._error(400, "Bad Request", "trackingNumber is required")
        wait = self._access.spend(config, now)
        if wait is not None:
            return self._error(429, "Too Many Requests", "Daily request limit reached", wait)
        package = self._book.get("dhl", number)
        if package is None or not package.visible(now):
            return self._error(
                404, "No result found", "No shipment with given tracking number found."
            )
        return JSONResponse({"shipments": [dhl_shipment(package, package.visible(now))]})
