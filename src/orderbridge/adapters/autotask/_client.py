"""The Autotask REST transport: zone discovery, auth headers, limits, retries, error mapping.

Contract of ``AutotaskClient``:

- Every call goes to the zone base ``…/ATServicesRest/V1.0/``: the explicit ``base_url`` when
  given, else the zone found through ``zoneInformation?user=<username>`` (cached). After a 401
  the zone is looked up once more, in case the tenant moved, and the call is repeated only if
  the zone changed.
- Every request but the zone lookup first takes a ticket from the ``AutotaskBudget`` (shared
  per Autotask database): a thread slot per entity endpoint (one for ``ThresholdInformation``)
  and one request from the hourly allowance. A spent budget raises ``BudgetExhausted`` and
  nothing is sent. Without a ``budget`` argument the client gets its own in-memory budget with
  ``threads_per_endpoint`` threads that does not poll ``ThresholdInformation``; with one, the
  client additionally keeps to ``threads_per_endpoint`` when that is given.
- Reads, queries, counts and PATCH are retried per ``RetryPolicy`` on ``Unavailable`` and 429;
  POST creates never are. A 429 naming the hourly threshold pauses the whole budget for the
  retry, or, when the wait would be long, locks the database out and raises ``BudgetExhausted``.
- Failures raise the typed errors of ``_errors`` with Autotask's own words; the ``Secret``
  header never appears in an error or a log line.
- With a ``metadata_cache`` the zone and entity field lists are kept between processes for its
  time-to-live (see ``_metadata_cache``); a cached zone that answers 401 is looked up afresh.
- ``request_count`` counts every HTTP request sent, per entity endpoint, retries included;
  ``stats`` adds retries, faults by kind and budget waits.

Example::

    async with AutotaskClient(credentials=creds) as client:
        async for row in client.query("PurchaseOrders", [F("status").eq(2)]):
            ...
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, nullcontext
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2

from orderbridge.adapters._http import PooledClient
from orderbridge.adapters._retry import RequestTally, RetryPolicy, call_with_retry

from ._budget import AutotaskBudget, database_key, zone_ci
from ._credentials import AutotaskCredentials
from ._endpoints import child_endpoint, written_item_id
from ._errors import (
    AuthFailed,
    AutotaskError,
    BadPayload,
    BudgetExhausted,
    ErrorTexts,
    PermissionDenied,
    RateLimited,
    ThreadLimited,
    Unavailable,
    decode_answer,
    fault_kind,
)
from ._metadata_cache import MetadataCache
from ._paging import PagingMode, pages
from ._picklists import PicklistCache
from ._query import MAX_IN_VALUES, MAX_OR_CONDITIONS, Filter, plan_queries
from ._service_info import (
    DEFAULT_ZONE_LOOKUP_URL,
    ThresholdInfo,
    api_base,
    threshold_from_json,
    zone_url_from_json,
)

__all__ = ["AutotaskClient"]

log = logging.getLogger(__name__)

_ZONE_ENDPOINT = "ZoneInformation"
_THRESHOLD_ENDPOINT = "ThresholdInformation"


class AutotaskClient(PooledClient):
    """An async client for one Autotask API user (see the module docstring for the contract)."""

    def __init__(
        self,
        *,
        credentials: AutotaskCredentials,
        base_url: str | None = None,
        zone_lookup_url: str = DEFAULT_ZONE_LOOKUP_URL,
        timeout_s: float = 30.0,
        transport: httpx2.AsyncBaseTransport | None = None,
        paging: PagingMode = "id",
        retry: RetryPolicy | None = None,
        threads_per_endpoint: int | None = None,
        budget: AutotaskBudget | None = None,
        picklist_ttl_s: float = 12 * 3600.0,
        error_texts: ErrorTexts | None = None,
        max_in_values: int = MAX_IN_VALUES,
        max_or_conditions: int = MAX_OR_CONDITIONS,
        metadata_cache: MetadataCache | None = None,
    ) -> None:
        if paging not in ("id", "next-url"):
            raise ValueError(f"paging must be 'id' or 'next-url', not {paging!r}")
        if threads_per_endpoint is not None and threads_per_endpoint < 1:
            raise ValueError("threads_per_endpoint must be at least 1")
        self._credentials = credentials
        self._explicit_base = api_base(base_url) if base_url else None
        self._base = self._explicit_base
        self._zone_lookup_url = zone_lookup_url
        self._timeout_s = timeout_s
        self._paging: PagingMode = paging
        self._retry = retry or RetryPolicy()
        if budget is None:
            budget = AutotaskBudget(
                threads_per_endpoint=threads_per_endpoint or 3, threshold_poll_s=None
            )
            threads_per_endpoint = None  # the budget's own cap is this one
        self.budget = budget
        self._threads = threads_per_endpoint
        self._thread_hint_given = False
        self._ci: int | None = None
        self._texts = error_texts or ErrorTexts()
        self._max_in = max_in_values
        self._max_or = max_or_conditions
        self._http = httpx2.AsyncClient(transport=transport, timeout=timeout_s)
        self._limiters: dict[str, anyio.CapacityLimiter] = {}
        self._zone_lock: anyio.Lock | None = None
        self._tally = RequestTally()
        # Writes sent (PATCH and create), so a scheduler can tell reads from writes.
        self.writes = 0
        self._metadata = metadata_cache
        self.picklists = PicklistCache(
            self._fetch_fields,
            ttl_s=picklist_ttl_s,
            refetch=None if metadata_cache is None else self._fetch_fields_live,
        )

    def __repr__(self) -> str:
        return f"AutotaskClient(user={self._credentials.username!r}, base={self._base!r})"

    @property
    def database(self) -> str:
        """The budget key of this client's Autotask database (see ``_budget``)."""
        base = self._base or self._explicit_base or self._zone_lookup_url
        return database_key(base, ci=self._ci, username=self._credentials.username)

    async def hourly_allowance(self) -> int:
        """Requests an hour orderbridge may send to this database, as the budget sees it now."""
        status = await self.budget.status(self.database)
        return max(1, status.allowance * 60 // max(status.timeframe_minutes, 1))

    # -- zone ---------------------------------------------------------------------------

    async def zone(self, *, fresh: bool = False) -> str:
        """The API base URL ending in ``/V1.0/``: explicit, or discovered once and cached.

        ``fresh`` skips the metadata cache (the zone is being looked up again after a 401).
        """
        if self._base is not None:
            return self._base
        if self._zone_lock is None:
            self._zone_lock = anyio.Lock()
        async with self._zone_lock:
            if self._base is None and not fresh and self._metadata is not None:
                self._use_cached_zone(await self._metadata.get(self._zone_key()))
            if self._base is None:
                payload = await self._call(
                    "GET",
                    _ZONE_ENDPOINT,
                    self._zone_lookup_url,
                    params={"user": self._credentials.username},
                    retry=True,
                    authenticated=False,
                )
                self._base = zone_url_from_json(payload)
                self._ci = zone_ci(payload)
                log.info("autotask zone discovered", extra={"base_url": self._base})
                if self._metadata is not None:
                    await self._metadata.put(self._zone_key(), {"url": self._base, "ci": self._ci})
            return self._base

    def _zone_key(self) -> str:
        """The cache key of the zone: per lookup URL and username (hashed, so it stays short)."""
        who = f"{self._zone_lookup_url}\n{self._credentials.username.strip().lower()}"
        return f"autotask zone {hashlib.sha256(who.encode()).hexdigest()[:32]}"

    def _use_cached_zone(self, cached: Any) -> None:
        if not isinstance(cached, dict) or not isinstance(cached.get("url"), str):
            return
        ci = cached.get("ci")
        self._base = api_base(cached["url"])
        self._ci = ci if isinstance(ci, int) and not isinstance(ci, bool) else None

    async def _metadata_key(self, name: str) -> str:
        """A cache key for ``name`` within this client's Autotask database."""
        await self.zone()
        key = f"autotask {self.database} {name}"
        if len(key) > 255:
            key = f"autotask {hashlib.sha256(key.encode()).hexdigest()}"
        return key

    async def remembered(self, name: str) -> Any | None:
        """A value kept in the metadata cache for this database, while fresh (else None)."""
        if self._metadata is None:
            return None
        return await self._metadata.get(await self._metadata_key(name))

    async def remember(self, name: str, value: Any) -> None:
        """Keep a JSON-able value (never a credential) in the metadata cache."""
        if self._metadata is not None:
            await self._metadata.put(await self._metadata_key(name), value)

    # -- transport ----------------------------------------------------------------------

    def _limiter(self, endpoint: str) -> anyio.CapacityLimiter | None:
        if self._threads is None:
            return None
        key = endpoint.lower()
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = anyio.CapacityLimiter(self._threads)
        return limiter

    @asynccontextmanager
    async def _slot(self, endpoint: str) -> AsyncIterator[None]:
        """Hold this client's thread slot and a budget ticket (zone lookups need neither)."""
        if endpoint == _ZONE_ENDPOINT:
            yield
            return
        poll = None if endpoint == _THRESHOLD_ENDPOINT else self._poll_threshold
        async with self._limiter(endpoint) or nullcontext():
            try:
                ticket = await self.budget.acquire(endpoint, database=self.database, poll=poll)
            except BudgetExhausted:
                self._tally.budget_exhausted += 1
                raise
            self._tally.waited(ticket.waited_s)
            try:
                yield
            finally:
                await self.budget.release(ticket)

    async def _url(self, target: str) -> str:
        if not target.lower().startswith(("http://", "https://")):
            return await self.zone() + target.lstrip("/")
        if self._base is not None and target != self._zone_lookup_url:
            here, there = urlsplit(self._base), urlsplit(target)
            # never send the secret to a host the zone did not name
            if (here.scheme, here.netloc.lower()) != (there.scheme, there.netloc.lower()):
                raise BadPayload(f"refusing to follow a URL outside the Autotask zone: {target}")
        return target

    async def _send_once(
        self,
        method: str,
        endpoint: str,
        target: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> Any:
        url = await self._url(target)
        headers = {"Accept": "application/json"}
        if authenticated:
            headers |= self._credentials.headers()
        async with self._slot(endpoint):
            self._tally.requests[endpoint] += 1
            try:
                response = await self._http.request(
                    method, url, json=json, params=params, headers=headers
                )
            except httpx2.TimeoutException:
                raise Unavailable(
                    f"Autotask {endpoint} did not answer within {self._timeout_s:g}s",
                    endpoint=endpoint,
                    fault="timeout",
                ) from None
            except httpx2.TransportError as exc:
                raise Unavailable(
                    f"Autotask {endpoint} could not be reached: {type(exc).__name__}: {exc}",
                    endpoint=endpoint,
                    fault="dropped",
                ) from None
        return decode_answer(
            endpoint, response, self._texts, secrets=self._credentials.secret_values()
        )

    def _hint_thread_limit(self, err: ThreadLimited) -> None:
        """Say once when Autotask names a thread limit below what this client sends."""
        caps = [c for c in (self._threads, self.budget.threads_per_endpoint) if c is not None]
        limit = err.limit
        if self._thread_hint_given or limit is None or limit < 1 or limit >= min(caps):
            return
        self._thread_hint_given = True
        log.warning(
            "Autotask says this integration may send %d requests at once to an endpoint; "
            "orderbridge sends up to %d, so some are refused and retried: set "
            "autotask.threads_per_endpoint = %d",
            limit,
            min(caps),
            limit,
        )

    async def _call(
        self,
        method: str,
        endpoint: str,
        target: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        retry: bool,
        authenticated: bool = True,
    ) -> Any:
        async def send(_remaining_s: float) -> Any:
            """One attempt."""
            return await self._send_once(
                method, endpoint, target, json=json, params=params, authenticated=authenticated
            )

        async def hourly_limit(err: Exception, wait: float | None) -> float | None:
            """Pause (or stop) every request to this database after an hourly-threshold 429.

            A thread-limit answer pauses nothing (the retry's own backoff is enough); it only
            gets its hint when Autotask names a limit below this client's.
            """
            if isinstance(err, ThreadLimited):
                self._hint_thread_limit(err)
            if not isinstance(err, RateLimited) or isinstance(err, ThreadLimited):
                return wait
            await self.budget.rate_limited(
                self.database, endpoint, retry_in_s=wait, retry_after_s=err.retry_after
            )
            return None if wait is None else 0.0  # the budget now holds every request back

        moved = False
        while True:
            try:
                return await call_with_retry(
                    send,
                    self._retry,
                    endpoint=endpoint,
                    tally=self._tally,
                    fault_kind=fault_kind,
                    retry_on=(Unavailable, RateLimited) if retry else (),
                    before_wait=hourly_limit,
                    what=f"Autotask {endpoint}",
                )
            except AuthFailed as err:
                if err.status != 401 or moved or not await self._zone_moved():
                    raise
                moved = True

    async def _zone_moved(self) -> bool:
        """Look the zone up again after a 401; whether it differs from the one in use."""
        if self._explicit_base is not None or self._base is None:
            return False
        old, self._base = self._base, None
        try:
            return await self.zone(fresh=True) != old
        except AutotaskError:
            self._base = old
            return False

    # -- entity calls -------------------------------------------------------------------

    async def query(
        self,
        entity: str,
        filters: Sequence[Filter] = (),
        *,
        include_fields: Sequence[str] | None = None,
        max_records: int = 500,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every row matching ``filters``, page after page (long ``in`` lists split)."""

        async def post(target: str, body: dict[str, Any]) -> Any:
            """One query page request (retried: a query is safe to repeat)."""
            return await self._call("POST", entity, target, json=body, retry=True)

        for planned in plan_queries(filters, max_in=self._max_in, max_or=self._max_or):
            async for rows in pages(
                self._paging,
                post,
                entity,
                planned,
                include_fields=include_fields,
                max_records=max_records,
            ):
                for row in rows:
                    yield row

    async def query_all(
        self,
        entity: str,
        filters: Sequence[Filter] = (),
        *,
        include_fields: Sequence[str] | None = None,
        max_records: int = 500,
    ) -> list[dict[str, Any]]:
        """Every row matching ``filters``, as a list."""
        rows = self.query(entity, filters, include_fields=include_fields, max_records=max_records)
        return [row async for row in rows]

    async def count(self, entity: str, filters: Sequence[Filter] = ()) -> int:
        """How many rows match ``filters`` (``query/count``)."""
        total = 0
        for planned in plan_queries(filters, max_in=self._max_in, max_or=self._max_or):
            body = {"filter": [f.to_json() for f in planned] or [{"op": "exist", "field": "id"}]}
            payload = await self._call(
                "POST", entity, f"{entity}/query/count", json=body, retry=True
            )
            value = payload.get("queryCount") if isinstance(payload, dict) else None
            if not isinstance(value, int) or isinstance(value, bool):
                raise BadPayload(
                    f"{entity} count: expected a numeric 'queryCount'", endpoint=entity
                )
            total += value
        return total

    async def get(self, entity: str, record_id: int) -> dict[str, Any] | None:
        """One record by id, or ``None`` when Autotask has no such record."""
        payload = await self._call("GET", entity, f"{entity}/{int(record_id)}", retry=True)
        if not isinstance(payload, dict) or "item" not in payload:
            raise BadPayload(f"{entity}/{record_id}: expected an 'item' member", endpoint=entity)
        item = payload["item"]
        if item is not None and not isinstance(item, dict):
            raise BadPayload(f"{entity}/{record_id}: 'item' is not an object", endpoint=entity)
        return item

    async def patch(self, entity: str, body: dict[str, Any]) -> int | None:
        """Update only the fields in ``body`` (which holds ``id``); the item id when echoed."""
        self.writes += 1
        return written_item_id(
            entity, await self._call("PATCH", entity, entity, json=body, retry=True)
        )

    async def patch_child(
        self, parent: str, parent_id: int, child: str, body: dict[str, Any]
    ) -> int | None:
        """Update a child record through its parent's collection path (``id`` in ``body``)."""
        target = f"{parent}/{int(parent_id)}/{child}"
        endpoint = child_endpoint(parent, child)
        self.writes += 1
        return written_item_id(
            endpoint, await self._call("PATCH", endpoint, target, json=body, retry=True)
        )

    async def create(self, entity: str, body: dict[str, Any]) -> int:
        """Create a record (never retried); the new id."""
        return await self._create(entity, entity, body)

    async def create_child(
        self, parent: str, parent_id: int, child: str, body: dict[str, Any]
    ) -> int:
        """Create a child record under its parent (never retried); the new id."""
        target = f"{parent}/{int(parent_id)}/{child}"
        return await self._create(child_endpoint(parent, child), target, body)

    async def _create(self, endpoint: str, target: str, body: dict[str, Any]) -> int:
        # never retried: Autotask reports business rules as 500s, and a lost answer may hide
        # a record that was created after all
        self.writes += 1
        answer = await self._call("POST", endpoint, target, json=body, retry=False)
        created = written_item_id(endpoint, answer)
        if created is None:
            raise BadPayload(f"{target} create: answer carried no 'itemId'", endpoint=endpoint)
        return created

    async def _fetch_fields(self, entity: str) -> Any:
        cached = await self.remembered(f"fields {entity.lower()}")
        if isinstance(cached, dict):
            return cached
        return await self._fetch_fields_live(entity)

    async def _fetch_fields_live(self, entity: str) -> Any:
        target = f"{entity}/entityInformation/fields"
        payload = await self._call("GET", entity, target, retry=True)
        if isinstance(payload, dict) and isinstance(payload.get("fields"), list):
            await self.remember(f"fields {entity.lower()}", payload)
        return payload

    async def picklist(self, entity: str, field: str) -> dict[str, int]:
        """``{label: value}`` of a picklist field, from cached entity metadata."""
        return await self.picklists.values(entity, field)

    async def threshold(self) -> ThresholdInfo:
        """The database's hourly request budget and current usage (itself one request).

        The answer also updates the budget, exactly as its own periodic poll does.
        """
        payload = await self._call("GET", _THRESHOLD_ENDPOINT, _THRESHOLD_ENDPOINT, retry=True)
        info = threshold_from_json(payload)
        await self.budget.observe(self.database, info)
        return info

    async def _poll_threshold(self) -> ThresholdInfo | None:
        """The budget's periodic reading. Refused credentials stop here (the request would be
        refused the same way); any other failure is only logged (the API user may lack the right
        to read thresholds), and the request goes ahead."""
        try:
            payload = await self._call("GET", _THRESHOLD_ENDPOINT, _THRESHOLD_ENDPOINT, retry=True)
            return threshold_from_json(payload)
        except PermissionDenied as err:
            log.warning("autotask threshold poll not permitted", extra={"error": str(err)})
            return None
        except (BudgetExhausted, AuthFailed):
            raise
        except AutotaskError as err:
            log.warning("autotask threshold poll failed", extra={"error": str(err)})
            return None
