"""``orderbridge enable`` and ``orderbridge disable``: turn scheduled syncing on or off.

The switch lives in the store, so it persists across restarts and a running daemon notices it
within a few seconds. ``orderbridge sync --once`` runs whatever the switch says. Neither command
creates a store that only the default ``store.url`` names (the wrong directory); a store the
configuration names is created if it does not exist yet.
"""

from __future__ import annotations

from ._common import (
    ConfigOption,
    actor,
    console,
    opened_store,
    settings_or_exit,
    store_or_exit,
)


def enable(config: ConfigOption = None) -> None:
    """Turn scheduled syncing on (orderbridge run resumes within a few seconds)."""
    _switch(config, on=True)


def disable(config: ConfigOption = None) -> None:
    """Turn scheduled syncing off (orderbridge run keeps running but starts no cycles)."""
    _switch(config, on=False)


def _switch(config: ConfigOption, *, on: bool) -> None:
    settings = settings_or_exit(config)
    store_or_exit(settings, config, create=True)
    from orderbridge.bootstrap import runtime_settings

    with opened_store(settings) as store:
        values = runtime_settings(settings, store, actor=actor()).set_enabled(on)
    state = "on" if values.enabled else "off"
    console.print(f"Scheduled sync is {state}.", highlight=False)
