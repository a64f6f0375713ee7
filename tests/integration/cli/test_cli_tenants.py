"""Two tenants in one store, with identical PO numbers, each synced against its own simulators.

Every read command shows a tenant only its own orders, runs, exports, reports and audit trail;
the store keeps no credential in plain text (every row of every table is read back); keys rotate
and a wrong key stops only the tenants it cannot open. SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from orderbridge.adapters.secret_keys import new_key
from orderbridge.cli import app
from tests.integration.store.conftest import (  # noqa: F401 - fixtures pytest finds by name
    postgres_server_url,
    postgres_url,
)
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


@pytest.fixture(autouse=True)
def _no_tenant_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ORDERBRIDGE_TENANT", "ORDERBRIDGE_SECRET_KEY", "ORDERBRIDGE_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The installation's store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'orderbridge.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def _write(path: Path, values: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path


def _tenant_file(pair: SimulatedUpstreams, path: Path) -> Path:
    values = pair.settings_dict(path.with_suffix(".db"))
    del values["store"]  # the installation's store serves every tenant
    return _write(path, values)


@pytest.fixture
def installation(tmp_path: Path, store_url: str) -> Path:
    """An installation's configuration: its store and key file, no tenant of its own."""
    return _write(
        tmp_path / "orderbridge.toml",
        {"store": {"url": store_url, "secret_key_file": str(tmp_path / "orderbridge.key")}},
    )


def _ok(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == code, f"{' '.join(args)}\n{result.output}"
    return result.stdout if code == 0 else result.stderr


def _add(runner: CliRunner, installation: Path, name: str, tenant_file: Path) -> None:
    _ok(
        runner,
        *("tenants", "add", name, "--config", str(tenant_file)),
        *("--installation-config", str(installation)),
    )


def _dump(store_url: str) -> str:
    """Every row of every table of the store, as text."""
    engine = create_engine(store_url, poolclass=NullPool)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return "\n".join(
                repr(row)
                for table in metadata.sorted_tables
                for row in connection.execute(select(table))
            )
    finally:
        engine.dispose()


def _secrets(pair: SimulatedUpstreams) -> list[str]:
    at, td = pair.autotask.config, pair.tdsynnex.config
    return [at.secret, at.integration_code, td.password]


def _exported_pos(runner: CliRunner, installation: Path, tenant: str) -> list[str]:
    out = _ok(
        runner, "export", "orders", "--format", "csv", "--config", str(installation),
        "--tenant", tenant,
    )  # fmt: skip
    return sorted(row["po_number"] for row in csv.DictReader(io.StringIO(out)))


def test_two_tenants_with_identical_po_numbers_never_see_each_other(
    runner: CliRunner,
    upstreams: SimulatedUpstreams,
    beta: SimulatedUpstreams,
    installation: Path,
    store_url: str,
    tmp_path: Path,
) -> None:
    config = str(installation)
    _ok(runner, "keys", "create", "--config", config)
    _add(runner, installation, "acme", _tenant_file(upstreams, tmp_path / "acme.toml"))
    _add(runner, installation, "beta", _tenant_file(beta, tmp_path / "beta.toml"))
    listed = _ok(runner, "tenants", "list", "--config", config)
    assert "acme" in listed
    assert "beta" in listed
    assert "NOT readable" not in listed

    refused = _ok(runner, "sync", "--once", "--config", config, code=2)
    assert "this installation has 2 tenants; name one with --tenant NAME" in refused

    upstreams.tdsynnex.advance("PO-10021")
    beta.tdsynnex.advance("PO-10021")
    for tenant, pair in (("acme", upstreams), ("beta", beta)):
        pair.reset_counters()
        out = _ok(runner, "sync", "--once", "--config", config, "--tenant", tenant)
        assert "Sync run: ok" in out
        assert pair.patches() > 0  # each tenant wrote to its own Autotask
    acme_status = _ok(runner, "status", "PO-10001", "--config", config, "--tenant", "acme")
    beta_status = _ok(runner, "status", "PO-10001", "--config", config, "--tenant", "beta")
    assert "Received" in acme_status, acme_status  # each tenant's own PO-10001
    assert "On hold" not in acme_status, acme_status
    assert "On hold" in beta_status, beta_status
    assert "Received" not in beta_status, beta_status

    acme_log = _ok(runner, "log", "--config", config, "--tenant", "acme")
    beta_log = _ok(runner, "log", "--config", config, "--tenant", "beta")
    assert acme_log.count("\n") == beta_log.count("\n")  # one run each, not two
    # A run id of the other tenant is not found.
    _ok(runner, "log", "--run", "2", "--config", config, "--tenant", "acme", code=1)
    _ok(runner, "log", "--run", "1", "--config", config, "--tenant", "beta", code=1)

    assert _exported_pos(runner, installation, "acme") == _exported_pos(
        runner, installation, "beta"
    )
    assert len(_exported_pos(runner, installation, "acme")) == 24  # not 48
    acme_audit = _ok(runner, "audit", "PO-10001", "--config", config, "--tenant", "acme")
    beta_audit = _ok(runner, "audit", "PO-10001", "--config", config, "--tenant", "beta")
    assert acme_audit != beta_audit
    for tenant in ("acme", "beta"):
        report = _ok(
            runner, "report", "delivery", "--format", "csv", "--config", config,
            "--tenant", tenant,
        )  # fmt: skip
        total = list(csv.DictReader(io.StringIO(report)))[-1]
        assert 0 < int(total["orders"]) <= 24, total  # its own orders only

    dump = _dump(store_url)
    assert "beta-api@example.com" in dump  # the dump does read the tenants' rows
    for secret in [*_secrets(upstreams), *_secrets(beta)]:
        assert secret not in dump, "a credential is stored in plain text"


def test_keys_rotate_and_a_wrong_key_stops_only_its_tenants(
    runner: CliRunner, installation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = str(installation)
    key_file = tmp_path / "orderbridge.key"
    with simulated_upstreams() as pair:
        tenant_file = _tenant_file(pair, tmp_path / "acme.toml")
    _ok(runner, "keys", "create", "--config", config)
    _add(runner, installation, "acme", tenant_file)
    before = key_file.read_text(encoding="ascii")
    done = _ok(runner, "keys", "rotate", "--config", config)
    assert "1 tenant" in done
    after = key_file.read_text(encoding="ascii")
    assert after != before
    assert len(after.split()) == 1
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    _ok(runner, "settings", "--config", config, "--tenant", "acme")  # readable with the new key

    # A tenant encrypted under another key (from the environment) next to acme.
    other = new_key()
    monkeypatch.setenv("ORDERBRIDGE_SECRET_KEY", other)
    _add(runner, installation, "beta", tenant_file)
    _ok(runner, "settings", "--config", config, "--tenant", "beta")
    wrong = _ok(runner, "settings", "--config", config, "--tenant", "acme", code=2)
    assert "credentials of tenant acme" in wrong
    assert "cannot be decrypted" in wrong
    assert "Traceback" not in wrong
    assert len(wrong.strip().splitlines()) == 1
    assert after.strip() not in wrong
    assert other not in wrong
    listed = _ok(runner, "tenants", "list", "--config", config)
    assert "NOT readable" in listed

    # Both keys listed, the environment's first: rotating re-encrypts acme under it.
    monkeypatch.setenv("ORDERBRIDGE_SECRET_KEY", f"{other},{after.strip()}")
    _ok(runner, "keys", "rotate", "--config", config)
    monkeypatch.setenv("ORDERBRIDGE_SECRET_KEY", other)
    _ok(runner, "settings", "--config", config, "--tenant", "acme")

    key_file.chmod(0o644)
    monkeypatch.delenv("ORDERBRIDGE_SECRET_KEY")
    loose = _ok(runner, "settings", "--config", config, "--tenant", "acme", code=2)
    assert f"chmod 600 {key_file}" in loose


def test_one_tenant_is_the_default_and_disabled_or_unknown_tenants_are_refused(
    runner: CliRunner, installation: Path, tmp_path: Path
) -> None:
    config = str(installation)
    with simulated_upstreams() as pair:
        tenant_file = _tenant_file(pair, tmp_path / "acme.toml")
    unknown = _ok(runner, "settings", "--config", config, "--tenant", "acme", code=2)
    assert "no tenant 'acme'" in unknown
    _ok(runner, "keys", "create", "--config", config)
    _add(runner, installation, "acme", tenant_file)
    duplicate = runner.invoke(
        app,
        ["tenants", "add", "acme", "--config", str(tenant_file), "--installation-config", config],
    )
    assert duplicate.exit_code == 2
    assert "--replace" in duplicate.stderr
    _ok(runner, "settings", "--config", config)  # the only tenant needs no --tenant
    shown = _ok(runner, "tenants", "show", "acme", "--config", config)
    assert "********" in shown
    assert pair.autotask.config.secret not in shown
    _ok(runner, "tenants", "disable", "acme", "--config", config)
    disabled = _ok(runner, "settings", "--config", config, code=2)
    assert "tenants enable acme" in disabled
    _ok(runner, "tenants", "enable", "acme", "--config", config)
    refused = _ok(runner, "tenants", "remove", "acme", "--config", config, code=2)
    assert "--yes" in refused
    _ok(runner, "tenants", "remove", "acme", "--yes", "--config", config)
    assert "No tenants" in _ok(runner, "tenants", "list", "--config", config)


def test_a_tenants_settings_are_the_installation_with_its_own_sections_whole(
    runner: CliRunner, installation: Path, tmp_path: Path
) -> None:
    from orderbridge.bootstrap import enabled_tenants, settings_for_tenant
    from orderbridge.settings import ConfigError, load_settings

    config = _write(
        installation,
        {
            "store": tomllib.loads(installation.read_text(encoding="utf-8"))["store"],
            "autotask": {"base_url": "https://file-tenant.example/", "username": "file-user"},
            "web": {"port": 9123},
            "sync": {"frequency": "daily"},
        },
    )
    settings = load_settings(config)
    assert enabled_tenants(settings) == ["default"]
    assert settings_for_tenant(settings, "default").tenant == "default"
    with simulated_upstreams() as pair:
        tenant_file = _tenant_file(pair, tmp_path / "acme.toml")
    _ok(runner, "keys", "create", "--config", str(config))
    _add(runner, config, "acme", tenant_file)
    _add(runner, config, "beta", tenant_file)
    _ok(runner, "tenants", "disable", "beta", "--config", str(config))
    assert enabled_tenants(settings) == ["acme"]
    acme = settings_for_tenant(settings, "acme")
    assert acme.tenant == "acme"
    assert acme.autotask.base_url is None  # the tenant's section whole, never the file's keys
    assert acme.autotask.username == pair.autotask.config.username
    assert acme.sync.frequency == "hourly"  # the tenant set [sync] (adaptive), not frequency
    assert acme.web.port == 9123  # the installation's sections stay
    assert acme.autotask.secret is not None
    assert acme.autotask.secret.get_secret_value() == pair.autotask.config.secret
    with pytest.raises(ConfigError, match="disabled"):
        settings_for_tenant(settings, "beta")
    with pytest.raises(ConfigError, match="no tenant 'gamma'"):
        settings_for_tenant(settings, "gamma")


def test_a_copy_or_restore_waits_for_every_tenants_runner(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from orderbridge.adapters.store import RecordsStore, RestoreRefused, SqlStore, copy_store

    with (
        SqlStore.open(f"sqlite:///{tmp_path / 'a.db'}") as source,
        SqlStore.open(f"sqlite:///{tmp_path / 'b.db'}") as target,
    ):
        RecordsStore(source).backup(tmp_path / "a.backup", use_pg_dump=False)
        assert source.acquire_lease("sync:acme", "host:4711", 600, datetime.now(UTC))
        with pytest.raises(RestoreRefused, match="host:4711"):
            copy_store(source, target)
        with pytest.raises(RestoreRefused, match="host:4711"):
            RecordsStore(source).restore(tmp_path / "a.backup", force=True)


def test_every_log_line_of_a_tenants_sync_names_the_tenant(
    runner: CliRunner, upstreams: SimulatedUpstreams, store_url: str, tmp_path: Path
) -> None:
    import json

    config = _write(
        tmp_path / "orderbridge.toml",
        {
            "store": {"url": store_url, "secret_key_file": str(tmp_path / "orderbridge.key")},
            "logging": {"level": "INFO", "format": "json"},
        },
    )
    _ok(runner, "keys", "create", "--config", str(config))
    _add(runner, config, "acme", _tenant_file(upstreams, tmp_path / "acme.toml"))
    result = runner.invoke(app, ["sync", "--once", "--config", str(config), "--tenant", "acme"])
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert logged, result.stderr
    assert {entry.get("tenant") for entry in logged} == {"acme"}, result.stderr
    assert upstreams.autotask.config.secret not in result.output
