"""Autotask metadata kept between processes: the zone, entity field lists, vendor ids (ADR 24).

A fresh ``sync --once`` process would otherwise spend requests every run on facts that change
rarely. The values live in the store (any object with ``cached_upstream``/``cache_upstream``)
as JSON, stamped with the time they were fetched, and are used for ``ttl_s`` seconds. Only
answers Autotask gives any caller are kept: never a header, a secret or an integration code.

The cache is an optimisation, never a source of failure: a store that cannot be read or written
is logged and the request goes to Autotask as it would without a cache.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import anyio

__all__ = ["CacheStore", "MetadataCache"]

log = logging.getLogger(__name__)


class CacheStore(Protocol):
    """Where the values live (the store adapter's ``SqlStore`` is one)."""

    def cached_upstream(self, tenant: str, key: str) -> tuple[str, datetime] | None:
        """The value under ``key`` and when it was stored, or None."""
        ...

    def cache_upstream(self, tenant: str, key: str, value: str, stored_at: datetime) -> None:
        """Keep ``value`` under ``key``."""
        ...


class MetadataCache:
    """JSON values under short keys, good for ``ttl_s`` seconds after they were fetched."""

    def __init__(
        self, store: CacheStore, *, tenant: str, ttl_s: float, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._tenant = tenant
        self._ttl = timedelta(seconds=ttl_s)
        self._clock = clock

    async def get(self, key: str) -> Any | None:
        """The value under ``key`` while it is fresh, else None."""
        try:
            found = await anyio.to_thread.run_sync(self._store.cached_upstream, self._tenant, key)
        except Exception as exc:  # the store's own error types are not this adapter's to know
            log.warning("autotask metadata cache unreadable", extra={"error": str(exc)})
            return None
        if found is None:
            return None
        text, stored_at = found
        age = self._clock() - stored_at
        if not timedelta(0) <= age < self._ttl:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    async def put(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON-able) under ``key``, stamped now."""
        text = json.dumps(value, separators=(",", ":"), sort_keys=True)
        try:
            await anyio.to_thread.run_sync(
                self._store.cache_upstream, self._tenant, key, text, self._clock()
            )
        except Exception as exc:  # see get(): a cache that cannot be written costs requests only
            log.warning("autotask metadata cache not written", extra={"error": str(exc)})
