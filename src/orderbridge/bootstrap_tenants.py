"""The composition root's tenant part: tenants kept in the store, their keys, their settings.

A tenant's settings are the configuration file's installation-wide sections (store, logging,
web, retry, retention, backup) with the tenant's own sections (``TENANT_SECTIONS``) from its row
in the store in place of the file's (ADR 48). Its credentials are stored as one ciphertext; in
the stored JSON each secret is a placeholder ``{"$secret": N}``, N its place in the decrypted
list (ADR 49). A store with no tenants serves the one tenant the file describes, ``default``,
exactly as before tenants existed.

Every problem a person can fix (an unknown or disabled tenant, a missing or wrong key, an
invalid file) is a ``ConfigError`` whose lines say what to do.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic_core import to_jsonable_python
from sqlalchemy.engine import make_url

from orderbridge.adapters.secret_keys import (
    KEY_ENV,
    KeyProblem,
    KeyRing,
    load_key_ring,
    new_key,
    read_key_file,
    write_key_file,
)
from orderbridge.adapters.store import SqlStore, StoredTenant
from orderbridge.settings import (
    DEFAULT_TENANT,
    TENANT_SECTIONS,
    ConfigError,
    Settings,
    settings_from,
)

__all__ = [
    "KeyRotation",
    "TenantSummary",
    "add_tenant",
    "create_key_file",
    "enabled_tenant_names",
    "remove_tenant",
    "resolve_tenant",
    "rotate_keys",
    "set_tenant_enabled",
    "stored_settings",
    "tenant_summaries",
]

_SECRET = "$secret"  # noqa: S105 - the placeholder's key, not a password
_MASK = "********"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _now() -> datetime:
    return datetime.now(UTC)


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ConfigError(
            [
                f"tenant name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            ]
        )
    return name


# -- keys ---------------------------------------------------------------------------------------


def key_ring(settings: Settings) -> KeyRing:
    """The configured keys (``ORDERBRIDGE_SECRET_KEY``, else ``[store] secret_key_file``)."""
    try:
        return load_key_ring(settings.store.secret_key_file)
    except KeyProblem as exc:
        raise ConfigError([str(exc)]) from None


def create_key_file(settings: Settings) -> Path:
    """Write a new key file at ``[store] secret_key_file`` (mode 0600); refuse to overwrite."""
    path = settings.store.secret_key_file
    if path.exists():
        raise ConfigError(
            [
                f"the key file {path} already exists; orderbridge keys rotate replaces its key "
                "and re-encrypts the credentials kept in the store"
            ]
        )
    write_key_file(path, (new_key(),))
    return path.absolute()


@dataclass(frozen=True)
class KeyRotation:
    """What ``orderbridge keys rotate`` did."""

    tenants: int
    source: str
    key_id: str
    key_file: Path | None  # the key file rewritten, None when the key came from the environment


def rotate_keys(settings: Settings, environ: dict[str, str] | None = None) -> KeyRotation:
    """Re-encrypt every tenant's credentials under a new key, in one transaction.

    With ``ORDERBRIDGE_SECRET_KEY`` set, the new key is the first one it lists (the old ones
    after it). With a key file, a new key is generated and written in front of the old ones
    (atomically), the credentials are re-encrypted, and then the file is rewritten with the new
    key alone: until the re-encryption has committed the old key stays in the file, so an
    interruption at any point leaves every credential readable.
    """
    import os

    env = os.environ if environ is None else environ
    if env.get(KEY_ENV, "").strip():
        ring = key_ring(settings)
        count = _reencrypt(settings, ring)
        return KeyRotation(count, KEY_ENV, ring.current_id, None)
    path = settings.store.secret_key_file
    try:
        old = read_key_file(path)
    except KeyProblem as exc:
        raise ConfigError([str(exc)]) from None
    fresh = new_key()
    write_key_file(path, (fresh, *old))
    ring = KeyRing((fresh, *old), f"the key file {path}")
    count = _reencrypt(settings, ring)
    write_key_file(path, (fresh,))
    return KeyRotation(count, ring.source, ring.current_id, path.absolute())


def _reencrypt(settings: Settings, ring: KeyRing) -> int:
    def rewrite(tenant: StoredTenant) -> tuple[str, str]:
        token = ring.rotate(
            tenant.secrets, what=f"credentials of tenant {tenant.name}", stored_key_id=tenant.key_id
        )
        return token, ring.current_id

    with SqlStore.open(settings.store.url) as store:
        try:
            return store.reencrypt_tenant_secrets(rewrite, _now())
        except KeyProblem as exc:
            raise ConfigError([f"{exc}; nothing was re-encrypted"]) from None


# -- sealing and opening a tenant's sections ----------------------------------------------------


def _seal_value(value: Any, secrets: list[str]) -> Any:
    """``value`` with every secret replaced by a placeholder (the secrets collected in order)."""
    if isinstance(value, SecretStr):
        secrets.append(value.get_secret_value())
        return {_SECRET: len(secrets) - 1}
    if isinstance(value, dict):
        return {key: _seal_value(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_seal_value(item, secrets) for item in value]
    return to_jsonable_python(value)


def _open_value(value: Any, secrets: list[str] | None) -> Any:
    """``value`` with each placeholder replaced by its secret (or a mask, without ``secrets``)."""
    if isinstance(value, dict):
        if set(value) == {_SECRET}:
            return _MASK if secrets is None else secrets[int(value[_SECRET])]
        return {key: _open_value(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_open_value(item, secrets) for item in value]
    return value


def _sections_of_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The tenant sections of a TOML file (validated, credentials required) and the others."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"config file: {path} does not exist or is not a file"]) from None
    except (OSError, ValueError) as exc:
        raise ConfigError([f"config file {path}: {exc}"]) from None
    picked = {key: value for key, value in data.items() if key in TENANT_SECTIONS}
    ignored = sorted(key for key in data if key not in TENANT_SECTIONS)
    try:
        sections = settings_from(picked)
    except ConfigError as exc:
        raise ConfigError([f"{path}: {line}" for line in exc.problems]) from None
    problems = [
        line.replace("set it in the file or the environment", f"set it in {path}")
        for line in sections.credential_problems()
    ]
    if problems:
        raise ConfigError([f"{path}: {line}" for line in problems])
    dumped = sections.model_dump(include=set(TENANT_SECTIONS), exclude_unset=True)
    return dumped, ignored


def _opened(settings: Settings, tenant: StoredTenant, ring: KeyRing) -> dict[str, Any]:
    """The tenant's sections with its credentials decrypted."""
    try:
        plain = ring.decrypt(
            tenant.secrets, what=f"credentials of tenant {tenant.name}", stored_key_id=tenant.key_id
        )
    except KeyProblem as exc:
        raise ConfigError([str(exc)]) from None
    opened: dict[str, Any] = _open_value(tenant.settings, json.loads(plain))
    return opened


def stored_settings(settings: Settings, tenant: StoredTenant) -> Settings:
    """The installation's settings with ``tenant``'s own sections in place of the file's."""
    base = settings.model_dump(exclude_unset=True, exclude=set(TENANT_SECTIONS))
    sections = _opened(settings, tenant, key_ring(settings))
    try:
        merged = settings_from({**base, **sections})
    except ConfigError as exc:
        raise ConfigError([f"tenant {tenant.name}: {line}" for line in exc.problems]) from None
    return merged.with_tenant(tenant.name)


# -- reading the tenants ------------------------------------------------------------------------


def _sqlite_path(settings: Settings) -> Path | None:
    url = make_url(settings.store.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _stored_tenants(settings: Settings) -> list[StoredTenant]:
    """The tenants in the store, read without creating or upgrading it."""
    path = _sqlite_path(settings)
    if path is not None and not path.exists():
        return []
    store = SqlStore(settings.store.url)
    try:
        return store.tenant_configs()
    finally:
        store.close()


def enabled_tenant_names(settings: Settings) -> list[str]:
    """The enabled tenants' names; ``["default"]`` when the store keeps no tenants."""
    tenants = _stored_tenants(settings)
    if not tenants:
        return [DEFAULT_TENANT]
    return [t.name for t in tenants if t.enabled]


def _unknown(name: str, tenants: list[StoredTenant]) -> ConfigError:
    if not tenants:
        return ConfigError(
            [
                f"no tenant {name!r}: this installation keeps no tenants in its store (it serves "
                "its configuration file's); orderbridge tenants add NAME --config FILE adds one"
            ]
        )
    known = ", ".join(t.name for t in tenants)
    return ConfigError(
        [f"no tenant {name!r} in the store (tenants: {known}); orderbridge tenants list"]
    )


def _for(settings: Settings, name: str, tenants: list[StoredTenant]) -> Settings:
    if not tenants and name == DEFAULT_TENANT:
        return settings.with_tenant(DEFAULT_TENANT)
    found = next((t for t in tenants if t.name == name), None)
    if found is None:
        raise _unknown(name, tenants)
    if not found.enabled:
        raise ConfigError(
            [f"tenant {name} is disabled; orderbridge tenants enable {name} turns it back on"]
        )
    return stored_settings(settings, found)


def settings_of(settings: Settings, tenant: str) -> Settings:
    """Settings for ``tenant`` (see ``bootstrap.settings_for_tenant``)."""
    return _for(settings, tenant, _stored_tenants(settings))


def resolve_tenant(settings: Settings, chosen: str | None) -> Settings:
    """Settings for the tenant a command serves: ``chosen``, else the only one there is.

    A store that keeps no tenants serves the configuration file as tenant ``default``.
    """
    tenants = _stored_tenants(settings)
    if chosen is None:
        if not tenants:
            return settings.with_tenant(DEFAULT_TENANT)
        if len(tenants) > 1:
            raise ConfigError(
                [
                    f"this installation has {len(tenants)} tenants; name one with --tenant NAME "
                    "(orderbridge tenants list)"
                ]
            )
        chosen = tenants[0].name
    return _for(settings, chosen, tenants)


# -- changing the tenants -----------------------------------------------------------------------


def add_tenant(
    settings: Settings, name: str, config_file: Path, *, replace: bool = False
) -> tuple[bool, list[str]]:
    """Import the tenant sections of ``config_file`` as tenant ``name``, credentials encrypted.

    Returns whether it was saved (False: the name exists and ``replace`` was not given) and the
    sections of the file that were left out because they belong to the installation.
    """
    _check_name(name)
    sections, ignored = _sections_of_file(config_file)
    ring = key_ring(settings)
    secrets: list[str] = []
    sealed = _seal_value(sections, secrets)
    token = ring.encrypt(json.dumps(secrets).encode())
    with SqlStore.open(settings.store.url) as store:
        saved = store.put_tenant_config(
            name, sealed, token, ring.current_id, _now(), replace=replace
        )
    return saved, ignored


def set_tenant_enabled(settings: Settings, name: str, enabled: bool) -> None:
    """Enable or disable tenant ``name``."""
    with SqlStore.open(settings.store.url) as store:
        if not store.set_tenant_enabled(name, enabled, _now()):
            raise _unknown(name, store.tenant_configs())


def remove_tenant(settings: Settings, name: str) -> None:
    """Forget tenant ``name``'s configuration and credentials; its records stay in the store."""
    with SqlStore.open(settings.store.url) as store:
        if not store.remove_tenant_config(name):
            raise _unknown(name, store.tenant_configs())


@dataclass(frozen=True)
class TenantSummary:
    """One tenant as ``tenants list`` and ``tenants show`` print it (secrets masked)."""

    name: str
    enabled: bool
    key_id: str
    readable: bool  # whether the configured key decrypts its credentials
    created_at: datetime
    updated_at: datetime
    sections: dict[str, Any]  # its own sections, every secret masked


def tenant_summaries(settings: Settings, name: str | None = None) -> list[TenantSummary]:
    """Every tenant (or only ``name``), for listing; whether the key fits is checked too."""
    tenants = _stored_tenants(settings)
    if name is not None:
        tenants = [t for t in tenants if t.name == name]
        if not tenants:
            raise _unknown(name, _stored_tenants(settings))
    ring: KeyRing | None
    try:
        ring = key_ring(settings)
    except ConfigError:
        ring = None
    summaries = []
    for tenant in tenants:
        ok = ring is not None
        if ring is not None:
            try:
                ring.decrypt(tenant.secrets, what=f"credentials of tenant {tenant.name}")
            except KeyProblem:
                ok = False
        summaries.append(
            TenantSummary(
                tenant.name,
                tenant.enabled,
                tenant.key_id,
                ok,
                tenant.created_at,
                tenant.updated_at,
                _open_value(tenant.settings, None),
            )
        )
    return summaries
