"""Paging cursors behind the opaque ``paging`` token of ``/{Entity}/query/next``.

The token is a random string; the cursor it names remembers the entity, how the first page was
asked for (POST body or GET ``search``), and where the page starts. Only the most recent
``kept`` cursors stay valid (how many real Autotask keeps is UNCONFIRMED).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

__all__ = ["Cursor", "CursorRegistry", "canonical_query"]


def canonical_query(data: Any) -> str:
    """A query body in one spelling, so equal JSON compares equal whatever its whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where one page of one query starts."""

    entity: str
    method: str  # "POST" or "GET": how the first page was requested
    query: str  # canonical JSON of the query model
    after_id: int | None
    prev_token: str | None


class CursorRegistry:
    """Thread-safe, bounded map from paging tokens to cursors."""

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()

    def issue(self, cursor: Cursor) -> str:
        """Register a cursor and return its opaque token."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._cursors[token] = cursor
            while len(self._cursors) > self._kept:
                self._cursors.popitem(last=False)
        return token

    def find(self, token: str) -> Cursor | None:
        """The cursor behind a token, or None when unknown or expired."""
        with self._lock:
            return self._cursors.get(token)

    def clear(self) -> None:
        """Forget every cursor."""
        with self._lock:
            self._cursors.clear()
