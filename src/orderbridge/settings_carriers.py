"""``[carriers.ups|fedex|usps|dhl]``: the carriers' tracking APIs, each optional.

A carrier is tracked when its section is enabled and has credentials; otherwise its packages
are known only through TD SYNNEX. Credentials are ``SecretStr``: never printed or logged.
docs/configuration.md and docs/carriers.md describe every key.
"""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr

__all__ = ["CarrierApiSettings", "DhlApiSettings"]


class _CarrierApi(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    base_url: AnyHttpUrl | None = None
    max_requests_per_hour: int | None = Field(default=None, ge=1)
    max_requests_per_day: int | None = Field(default=None, ge=1)
    timeout_s: float = Field(default=30.0, gt=0, le=600)


class CarrierApiSettings(_CarrierApi):
    """``[carriers.ups]``, ``[carriers.fedex]``, ``[carriers.usps]``: OAuth2 client credentials."""

    client_id: str | None = None
    client_secret: SecretStr | None = None

    @property
    def configured(self) -> bool:
        """Enabled, with a client id and secret: this carrier is tracked."""
        secret = self.client_secret.get_secret_value() if self.client_secret else ""
        return self.enabled and bool((self.client_id or "").strip()) and bool(secret)


class DhlApiSettings(_CarrierApi):
    """``[carriers.dhl]``: the DHL Shipment Tracking - Unified API key."""

    api_key: SecretStr | None = None

    @property
    def configured(self) -> bool:
        """Enabled, with an API key: DHL is tracked."""
        return self.enabled and bool(self.api_key and self.api_key.get_secret_value())
