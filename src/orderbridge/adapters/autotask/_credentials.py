"""The API user's credentials and the headers that carry them.

The secret is a ``SecretStr``: it prints as ``**********`` and is unwrapped only when the
request headers are built, so it never reaches an exception message, a repr or a log line.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

__all__ = ["AutotaskCredentials"]


class AutotaskCredentials(BaseModel):
    """An Autotask API-only user: username, secret and the integration's tracking identifier."""

    model_config = ConfigDict(frozen=True)

    username: str
    secret: SecretStr
    integration_code: str
    impersonation_resource_id: int | None = None

    @field_validator("username", "integration_code")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    def secret_values(self) -> tuple[str, str]:
        """The values that must never be quoted back: the secret and the integration code."""
        return (self.secret.get_secret_value(), self.integration_code)

    def headers(self) -> dict[str, str]:
        """The authentication headers Autotask expects on every call but zone lookup."""
        out = {
            "ApiIntegrationCode": self.integration_code,
            "UserName": self.username,
            "Secret": self.secret.get_secret_value(),
        }
        if self.impersonation_resource_id is not None:
            out["ImpersonationResourceId"] = str(self.impersonation_resource_id)
        return out
