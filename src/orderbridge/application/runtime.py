"""Runtime settings: the live on/off switch, update frequency and status scope, kept in the store.

The configuration file gives the initial values. The first time orderbridge reads the runtime
settings it copies any key the store does not have yet from the file; from then on the store
wins, so the dashboard or ``orderbridge settings set`` can change them while the daemon runs
(the daemon reads them again before every cycle). ``orderbridge settings --reset`` copies the
file's values over the stored ones. Credentials never go here: the store rejects such keys.

Keys (the stored text is canonical: ``StatusScope.parse``/``Frequency.parse`` read it back):

- ``enabled`` — ``true`` or ``false``: whether scheduled cycles run.
- ``frequency`` — ``realtime``, ``hourly``, ``daily``, ``custom:15m``, ``custom:<cron>``.
- ``daily_at`` — ``HH:MM`` for ``daily``.
- ``timezone`` — the IANA zone for ``hourly``, ``daily`` and cron schedules.
- ``min_gap_s`` — the least gap between real-time cycles, in seconds.
- ``scope`` — ``all``, ``active``, ``recent`` or ``recent:N``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import anyio

from orderbridge.domain.schedule import Frequency
from orderbridge.domain.scope import StatusScope

__all__ = [
    "RUNTIME_KEYS",
    "RuntimeEntry",
    "RuntimeSettings",
    "RuntimeValues",
    "SettingsStore",
    "canonical_value",
]

_log = logging.getLogger(__name__)

RUNTIME_KEYS = ("enabled", "frequency", "daily_at", "timezone", "min_gap_s", "scope")
_TRUE = frozenset({"true", "on", "yes", "1", "enabled"})
_FALSE = frozenset({"false", "off", "no", "0", "disabled"})
MAX_MIN_GAP_S = 86_400.0


class SettingsStore(Protocol):
    """Where runtime settings live (the store; synchronous, so called in a worker thread)."""

    def settings(self, tenant: str) -> dict[str, str]:
        """All runtime settings of a tenant, by key."""
        ...

    def set_setting(self, tenant: str, key: str, value: str) -> None:
        """Create or replace one runtime setting."""
        ...


@dataclass(frozen=True, slots=True)
class RuntimeValues:
    """One consistent set of runtime settings, parsed."""

    enabled: bool
    frequency: Frequency
    scope: StatusScope

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> RuntimeValues:
        """Parse the stored texts of every key; ``ValueError`` naming the key when one is bad."""
        canon = {key: canonical_value(key, texts[key]) for key in RUNTIME_KEYS}
        return cls(
            enabled=canon["enabled"] == "true",
            frequency=Frequency.parse(
                canon["frequency"],
                daily_at=canon["daily_at"],
                timezone=canon["timezone"],
                min_gap_s=float(canon["min_gap_s"]),
            ),
            scope=StatusScope.parse(canon["scope"]),
        )

    def texts(self) -> dict[str, str]:
        """The canonical stored text of every key."""
        f = self.frequency
        return {
            "enabled": "true" if self.enabled else "false",
            "frequency": f.text,
            "daily_at": f"{f.daily_at:%H:%M}",
            "timezone": f.timezone,
            "min_gap_s": f"{f.min_gap.total_seconds():g}",
            "scope": self.scope.text,
        }


@dataclass(frozen=True, slots=True)
class RuntimeEntry:
    """One runtime setting as ``orderbridge settings`` shows it."""

    key: str
    value: str
    source: str  # "store" (changed at runtime) or "file" (the configuration's value)
    file_value: str
    note: str = ""


def canonical_value(key: str, text: str) -> str:
    """Validate one runtime setting's text and return its canonical form (``ValueError`` if bad)."""
    cleaned = " ".join(str(text).split())
    if key == "enabled":
        lowered = cleaned.lower()
        if lowered in _TRUE:
            return "true"
        if lowered in _FALSE:
            return "false"
        raise ValueError(f"{text!r} is not on or off; use true or false")
    if key == "frequency":
        return Frequency.parse(cleaned).text
    if key == "daily_at":
        return f"{Frequency.parse('daily', daily_at=cleaned).daily_at:%H:%M}"
    if key == "timezone":
        return Frequency.parse("hourly", timezone=cleaned).timezone
    if key == "min_gap_s":
        return f"{_gap_seconds(cleaned):g}"
    if key == "scope":
        return StatusScope.parse(cleaned).text
    raise ValueError(f"{key!r} is not a runtime setting; use one of {', '.join(RUNTIME_KEYS)}")


def _gap_seconds(text: str) -> float:
    try:
        seconds = float(text.removesuffix("s").strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds, e.g. 60") from None
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_MIN_GAP_S:
        raise ValueError(f"{text!r} is out of range; the gap is more than 0 and at most 86400 s")
    return seconds


class RuntimeSettings:
    """The live runtime settings of one tenant: the store's values over the file's."""

    def __init__(
        self, store: SettingsStore, file_values: RuntimeValues, *, tenant: str = "default"
    ) -> None:
        self._store = store
        self._file = file_values
        self.tenant = tenant

    @property
    def file_values(self) -> RuntimeValues:
        """The values the configuration gives (what ``--reset`` restores)."""
        return self._file

    def load(self) -> RuntimeValues:
        """The effective values, copying any key the store lacks from the file first.

        A stored value that no longer parses is reported in the log and the file's value is used
        in its place (the store is left as it is, so the problem stays visible).
        """
        return self._effective(self._seeded())

    def peek(self) -> RuntimeValues:
        """The effective values, read without writing to the store (for read-only commands)."""
        return self._effective(self._store.settings(self.tenant))

    def _effective(self, stored: Mapping[str, str]) -> RuntimeValues:
        texts = self._file.texts()
        for key in RUNTIME_KEYS:
            if key not in stored:
                continue
            try:
                texts[key] = canonical_value(key, stored[key])
            except ValueError as exc:
                _log.warning("runtime setting %s is invalid (%s); using the file's value", key, exc)
        try:
            return RuntimeValues.from_texts(texts)
        except ValueError as exc:
            _log.warning("runtime settings do not fit together (%s); using the file's", exc)
            return self._file

    async def current(self) -> RuntimeValues:
        """``load`` from async code (the store is synchronous)."""
        return await anyio.to_thread.run_sync(self.load)

    async def scope(self) -> StatusScope:
        """The live status scope (for the scope resolver, before each cycle)."""
        return (await self.current()).scope

    def entries(self) -> list[RuntimeEntry]:
        """Every key with its effective value and where it comes from."""
        stored = self._seeded()
        effective = self.load().texts()
        file_texts = self._file.texts()
        rows = []
        for key in RUNTIME_KEYS:
            value, from_file = effective[key], file_texts[key]
            note = ""
            try:
                canonical_value(key, stored[key])
            except ValueError:
                note = f"the stored value {stored[key]!r} is invalid, so the file's is used"
            source = "file" if value == from_file else "store"
            rows.append(RuntimeEntry(key, value, source, from_file, note))
        return rows

    def set(self, key: str, text: str) -> RuntimeValues:
        """Validate and store one key; the new values take effect at the next cycle."""
        value = canonical_value(key, text)
        texts = self.load().texts() | {key: value}
        values = RuntimeValues.from_texts(texts)  # the combination must hold together too
        self._store.set_setting(self.tenant, key, value)
        return values

    def set_enabled(self, enabled: bool) -> RuntimeValues:
        """Turn scheduled syncing on or off (persistently)."""
        return self.set("enabled", "true" if enabled else "false")

    def reset(self) -> RuntimeValues:
        """Copy every value from the file over the stored ones."""
        for key, value in self._file.texts().items():
            self._store.set_setting(self.tenant, key, value)
        return self._file

    def _seeded(self) -> dict[str, str]:
        stored = dict(self._store.settings(self.tenant))
        for key, value in self._file.texts().items():
            if key not in stored:
                self._store.set_setting(self.tenant, key, value)
                stored[key] = value
        return stored
