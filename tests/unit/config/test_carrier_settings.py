"""``[carriers.ups|fedex|usps|dhl]``: credentials as secrets, optional, compatible with links."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderbridge.bootstrap import _carrier_trackers
from orderbridge.settings import ConfigError, Settings, load_settings

TOML = """
[carriers]
tracking_urls = { Loomis = "https://example.test/track?pin={tracking_number}" }
overdue_after_days = 7

[carriers.ups]
client_id = "ups-id"
client_secret = "ups-secret-value"

[carriers.fedex]
client_id = "fedex-id"
client_secret = "fedex-secret-value"
base_url = "http://127.0.0.1:9/"
max_requests_per_hour = 100

[carriers.usps]
client_id = "usps-id"
client_secret = "usps-secret-value"
enabled = false

[carriers.dhl]
api_key = "dhl-key-value"
"""


def test_carrier_keys_load_with_secrets_hidden(tmp_path: Path) -> None:
    path = tmp_path / "orderbridge.toml"
    path.write_text(TOML, encoding="utf-8")
    settings = load_settings(path)
    c = settings.carriers
    assert c.tracking_urls["Loomis"].startswith("https://example.test")
    assert c.overdue_after_days == 7
    assert c.ups.configured
    assert c.fedex.configured
    assert c.dhl.configured
    assert not c.usps.configured  # enabled = false: not tracked
    assert str(c.fedex.base_url) == "http://127.0.0.1:9/"
    dumped = repr(settings) + str(settings.model_dump())
    for secret in ("ups-secret-value", "fedex-secret-value", "usps-secret-value", "dhl-key-value"):
        assert secret not in dumped
        assert secret in settings.secret_values()


def test_only_configured_carriers_get_a_tracker(tmp_path: Path) -> None:
    path = tmp_path / "orderbridge.toml"
    path.write_text(TOML, encoding="utf-8")
    trackers = _carrier_trackers(load_settings(path))
    assert sorted(trackers) == ["DHL", "FedEx", "UPS"]
    for tracker in trackers.values():
        assert "secret" not in repr(tracker)
        assert "dhl-key" not in repr(tracker)


def test_no_carrier_section_means_nothing_is_tracked() -> None:
    settings = Settings()
    assert _carrier_trackers(settings) == {}
    assert not any(api.configured for api in settings.carriers.apis().values())


def test_environment_overrides_a_carrier_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERBRIDGE_CARRIERS__UPS__CLIENT_ID", "from-env")
    monkeypatch.setenv("ORDERBRIDGE_CARRIERS__UPS__CLIENT_SECRET", "env-secret")
    settings = load_settings(None)
    assert settings.carriers.ups.configured
    assert settings.carriers.ups.client_id == "from-env"


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[carriers.ups]\nclient_key = "x"\n', "carriers.ups.client_key"),
        ("[carriers.dhl]\nmax_requests_per_day = 0\n", "carriers.dhl.max_requests_per_day"),
        ('[carriers.fedex]\nbase_url = "not a url"\n', "carriers.fedex.base_url"),
        ('[carriers.purolator]\napi_key = "x"\n', "carriers.purolator"),
    ],
)
def test_bad_carrier_keys_are_named(tmp_path: Path, toml: str, key: str) -> None:
    path = tmp_path / "orderbridge.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert any(line.startswith(key) for line in caught.value.problems), caught.value.problems
