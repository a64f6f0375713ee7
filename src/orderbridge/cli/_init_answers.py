"""What ``orderbridge init`` gathers and writes: the answers, their checks, the private file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import EXIT_CONFIG, fail

if TYPE_CHECKING:
    from orderbridge.settings import Settings

__all__ = ["SECRET_VARIABLES", "InitAnswers", "normalised", "write_private_file"]

# The secrets init may find in the environment, by the config key they fill.
SECRET_VARIABLES = {
    "autotask.secret": "ORDERBRIDGE_AUTOTASK__SECRET",
    "autotask.integration_code": "ORDERBRIDGE_AUTOTASK__INTEGRATION_CODE",
    "tdsynnex.password": "ORDERBRIDGE_TDSYNNEX__PASSWORD",
}


@dataclass
class InitAnswers:
    """Everything ``init`` writes, gathered from flags and prompts."""

    autotask_username: str = ""
    autotask_secret: str = ""
    integration_code: str = ""
    tdsynnex_customer: str = ""
    tdsynnex_user: str = ""
    tdsynnex_password: str = ""
    region: str = "US"
    environment: str = "production"
    autotask_base_url: str | None = None
    zone_lookup_url: str | None = None
    tdsynnex_status_url: str | None = None
    tdsynnex_invoice_url: str | None = None
    vendor_company_ids: list[int] = field(default_factory=list)
    frequency: str = "hourly"
    scope: str = "active"
    # Config keys whose secret came from the environment: tested, but kept out of the file.
    from_environment: set[str] = field(default_factory=set)

    def missing(self) -> list[str]:
        """The flags a non-interactive run still needs."""
        required = {
            "--autotask-username": self.autotask_username,
            "--autotask-secret": self.autotask_secret,
            "--integration-code": self.integration_code,
            "--tdsynnex-customer": self.tdsynnex_customer,
            "--tdsynnex-user": self.tdsynnex_user,
            "--tdsynnex-password": self.tdsynnex_password,
        }
        return [flag for flag, value in required.items() if not value.strip()]

    def file_config(self) -> dict[str, Any]:
        """What the file holds: the configuration without secrets kept in the environment."""
        config = self.config()
        for key in self.from_environment:
            section, name = key.split(".")
            config[section].pop(name, None)
        return config

    def config(self) -> dict[str, Any]:
        """The configuration as TOML-able values (only keys settings.py knows)."""
        autotask: dict[str, Any] = {
            "username": self.autotask_username,
            "secret": self.autotask_secret,
            "integration_code": self.integration_code,
        }
        if self.autotask_base_url:
            autotask["base_url"] = self.autotask_base_url
        if self.zone_lookup_url:
            autotask["zone_lookup_url"] = self.zone_lookup_url
        if self.vendor_company_ids:
            autotask["vendor_company_ids"] = list(self.vendor_company_ids)
        tdsynnex: dict[str, Any] = {
            "region": self.region,
            "environment": self.environment,
            "customer_number": self.tdsynnex_customer,
            "user_id": self.tdsynnex_user,
            "password": self.tdsynnex_password,
        }
        if self.tdsynnex_status_url:
            tdsynnex["status_url"] = self.tdsynnex_status_url
        if self.tdsynnex_invoice_url:
            tdsynnex["invoice_url"] = self.tdsynnex_invoice_url
        sync = {"frequency": self.frequency, "scope": self.scope}
        return {"autotask": autotask, "tdsynnex": tdsynnex, "sync": sync}

    def settings(self) -> Settings:
        """Settings for the connection tests; exits with code 2 naming any invalid value."""
        from pydantic import ValidationError

        from orderbridge.settings import Settings

        try:
            return Settings.model_validate(self.config())
        except ValidationError as exc:
            lines = [
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            ]
            fail(lines, EXIT_CONFIG)


def write_private_file(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` with mode 0600 from creation on; replace only with ``force``."""
    data = text.encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if force else path
    # O_EXCL with mode 0600: the file never exists with wider permissions, not even briefly.
    fd = os.open(target, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        target.unlink(missing_ok=True)
        raise
    os.close(fd)
    if force:
        os.replace(target, path)


def normalised(answers: InitAnswers) -> list[str]:
    """Canonical region, environment, frequency and scope; one problem line per bad value."""
    from orderbridge.domain.schedule import Frequency
    from orderbridge.domain.scope import StatusScope

    problems = []
    answers.region = answers.region.strip().upper()
    answers.environment = answers.environment.strip().lower()
    if answers.region not in ("US", "CA"):
        problems.append(f"--region: {answers.region!r} is not US or CA")
    if answers.environment not in ("production", "test"):
        problems.append(f"--environment: {answers.environment!r} is not production or test")
    try:
        answers.frequency = Frequency.parse(answers.frequency).text
    except ValueError as exc:
        problems.append(f"--frequency: {exc}")
    try:
        answers.scope = StatusScope.parse(answers.scope).text
    except ValueError as exc:
        problems.append(f"--scope: {exc}")
    if bool(answers.tdsynnex_status_url) != bool(answers.tdsynnex_invoice_url):
        problems.append("--tdsynnex-status-url and --tdsynnex-invoice-url: give both or neither")
    return problems
