"""Configuration: file, environment overrides, per-key problems, secrets kept secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orderbridge.bootstrap import _plan_options
from orderbridge.settings import ConfigError, Settings, config_file_warnings, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("ORDERBRIDGE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray ./orderbridge.toml


def write(tmp_path: Path, text: str, name: str = "orderbridge.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_defaults_without_any_file() -> None:
    settings = load_settings(None)
    assert settings.store.url == "sqlite:///orderbridge.db"
    assert settings.autotask.po_number_field == "purchaseOrderNumber"
    assert settings.autotask.monitored_statuses == ["Submitted", "Received Partial"]
    assert settings.sync.concurrency == 8
    assert settings.tdsynnex.region == "US"


def test_file_then_environment_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path,
        '[autotask]\nusername = "file-user"\nvendor_company_ids = [7, 9]\n'
        '[tdsynnex]\nregion = "ca"\n[mapping]\nwrite_item_memo = false\n',
    )
    monkeypatch.setenv("ORDERBRIDGE_AUTOTASK__USERNAME", "env-user")
    monkeypatch.setenv("ORDERBRIDGE_STORE__URL", "sqlite:///elsewhere.db")
    settings = load_settings(path)
    assert settings.autotask.username == "env-user"
    assert settings.autotask.vendor_company_ids == [7, 9]
    assert settings.tdsynnex.region == "CA"
    assert settings.store.url == "sqlite:///elsewhere.db"
    assert _plan_options(settings).write_item_memo is False


def test_config_file_found_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "[sync]\nconcurrency = 3\n", name="custom.toml")
    monkeypatch.setenv("ORDERBRIDGE_CONFIG", str(path))
    assert load_settings(None).sync.concurrency == 3


def test_every_problem_is_reported_with_its_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[autotask]\nvendor_company_ids = [1, -2]\ncolour = "red"\n'
        '[store]\nurl = "mysql://db"\n[sync]\nconcurrency = 0\n'
        '[carriers]\ntracking_urls = { FedEx = "https://example.test/track" }\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    keys = sorted(line.split(":")[0] for line in caught.value.problems)
    assert keys == [
        "autotask.colour",
        "autotask.vendor_company_ids",
        "carriers.tracking_urls",
        "store.url",
        "sync.concurrency",
    ]
    assert any("unknown key" in line for line in caught.value.problems)


def test_broken_toml_and_missing_file_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")
    path = write(tmp_path, "[autotask\n")
    with pytest.raises(ConfigError, match=r"orderbridge\.toml"):
        load_settings(path)


def test_secrets_are_masked_and_required_credentials_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[autotask]\nusername = "u"\nsecret = "TOP-SECRET-123"\n')
    settings = load_settings(path)
    assert "TOP-SECRET-123" not in repr(settings)
    assert "TOP-SECRET-123" not in str(settings.model_dump())
    problems = settings.credential_problems()
    assert [p.split(":")[0] for p in problems] == [
        "autotask.integration_code",
        "tdsynnex.customer_number",
        "tdsynnex.user_id",
        "tdsynnex.password",
    ]


def test_only_one_of_the_explicit_tdsynnex_urls_is_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[tdsynnex]\nstatus_url = "https://ec.example.test/SynnexXML/POStatus"\n'
    )
    problems = load_settings(path).credential_problems()
    assert any(p.startswith("tdsynnex.status_url / tdsynnex.invoice_url") for p in problems)


def test_world_readable_file_with_secrets_gives_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, '[autotask]\nsecret = "x"\n')
    assert config_file_warnings(path) == []
    path.chmod(0o644)
    [warning] = config_file_warnings(path)
    assert "chmod 600" in warning


def test_error_texts_and_request_versions_are_read_and_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[tdsynnex]\nauth_error_texts = ["  Anmeldung   Abgelehnt "]\n'
        'status_request_version = "3.0"\ninvoice_request_version = ""\n'
        '[autotask]\nunknown_user_error_texts = ["Benutzer unbekannt"]\npaging = "next_page_url"\n',
    )
    settings = load_settings(path)
    assert settings.tdsynnex.error_vocabulary().auth == ("anmeldung abgelehnt",)
    assert (
        settings.tdsynnex.error_vocabulary().transient
        == Settings().tdsynnex.error_vocabulary().transient
    )
    assert (
        settings.tdsynnex.status_request_version,
        settings.tdsynnex.invoice_request_version,
    ) == ("3.0", "")
    assert settings.autotask.error_texts().unknown_user == ("benutzer unbekannt",)
    assert settings.autotask.paging == "next_page_url"
    bad = write(
        tmp_path,
        '[tdsynnex]\nnot_found_texts = ["not found", " "]\nstatus_request_version = "v2"\n'
        '[autotask]\npaging = "offset"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(bad)
    keys = sorted(line.split(":")[0] for line in caught.value.problems)
    assert keys == [
        "autotask.paging",
        "tdsynnex.not_found_texts",
        "tdsynnex.status_request_version",
    ]
    assert any("would match every error" in line for line in caught.value.problems)


def test_worker_keys_are_read_and_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[sync]\nbatch_size = 50\n[workers]\nconcurrency = 8\nheartbeat_s = 5\n"
        "stalled_after_s = 20\nscheduler_poll_s = 2\n",
    )
    settings = load_settings(path)
    assert settings.sync.batch_size == 50
    assert (settings.workers.concurrency, settings.workers.stalled_after_s) == (8, 20)
    assert Settings().sync.batch_size == 200
    for text, key in (
        ("[sync]\nbatch_size = 501\n", "sync.batch_size"),
        ("[workers]\nheartbeat_s = 30\nstalled_after_s = 20\n", "workers"),
        ("[workers]\nconcurrency = 0\n", "workers.concurrency"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_settings(write(tmp_path, text))
        assert caught.value.problems[0].split(":")[0] == key, caught.value.problems
