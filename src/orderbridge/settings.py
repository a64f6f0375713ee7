"""orderbridge's configuration: a TOML file, overridable by environment variables.

Sources, strongest first: environment variables ``ORDERBRIDGE_<SECTION>__<KEY>`` (for example
``ORDERBRIDGE_AUTOTASK__SECRET``), then the TOML file (``--config FILE``, else
``$ORDERBRIDGE_CONFIG``, else ``./orderbridge.toml`` if it exists), then the defaults below.
The key names are a contract: add, never rename. docs/configuration.md documents every key.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from orderbridge.domain.check_schedule import CheckPolicy
from orderbridge.domain.schedule import Frequency
from orderbridge.domain.scope import FINISHED_AUTOTASK_STATUSES, StatusScope
from orderbridge.error_texts import ErrorTexts, ErrorVocabulary
from orderbridge.notification_settings import NotificationSettings
from orderbridge.settings_carriers import CarrierApiSettings, DhlApiSettings

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_TENANT",
    "TENANT_SECTIONS",
    "AutotaskSettings",
    "BackupSettings",
    "CarrierApiSettings",
    "CarrierSettings",
    "ConfigError",
    "DhlApiSettings",
    "LoggingSettings",
    "MappingSettings",
    "OidcSettings",
    "RetentionSettings",
    "RetrySettings",
    "Settings",
    "StoreSettings",
    "SyncSettings",
    "TdSynnexSettings",
    "WebSettings",
    "WorkerSettings",
    "config_file_warnings",
    "load_settings",
    "resolve_config_path",
    "settings_from",
]

DEFAULT_CONFIG_FILE = "orderbridge.toml"
DEFAULT_TENANT = "default"  # the tenant a configuration file alone describes
# The sections that describe one tenant (ADR 48): a tenant kept in the store brings its own,
# the configuration file gives the rest (store, logging, web, retry, retention, backup).
TENANT_SECTIONS = ("autotask", "tdsynnex", "carriers", "notifications", "sync", "mapping")
DEFAULT_ZONE_LOOKUP_URL = "https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation"


class ConfigError(Exception):
    """The configuration is invalid; ``problems`` has one line per problem, each naming its key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _zone_name(value: str) -> str:
    """An IANA time-zone name that this machine's zone database knows."""
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not a time zone; use an IANA name such as America/Los_Angeles or UTC"
        ) from None
    return name


def _error_texts(value: list[str]) -> list[str]:
    """Error-text fragments as they are matched: trimmed, lower case, none empty."""
    cleaned = [" ".join(text.split()).lower() for text in value]
    if any(not text for text in cleaned):
        raise ValueError("an empty text would match every error; remove it")
    return cleaned


_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_TD_WORDS = ErrorVocabulary()
_AT_WORDS = ErrorTexts()


class AutotaskSettings(_Section):
    """``[autotask]``: how to reach Autotask and which purchase orders are TD SYNNEX's."""

    zone_lookup_url: AnyHttpUrl = AnyHttpUrl(DEFAULT_ZONE_LOOKUP_URL)
    base_url: AnyHttpUrl | None = None
    username: str | None = None
    secret: SecretStr | None = None
    integration_code: SecretStr | None = None
    vendor_company_ids: list[int] = Field(default_factory=list)
    vendor_name: str = "TD SYNNEX"
    po_number_field: Literal["purchaseOrderNumber", "externalPONumber", "id"] = (
        "purchaseOrderNumber"
    )
    monitored_statuses: list[str] = Field(
        default_factory=lambda: ["Submitted", "Received Partial"], min_length=1
    )
    finished_statuses: list[str] = Field(default_factory=lambda: list(FINISHED_AUTOTASK_STATUSES))
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    # The request budget (the share itself is sync.budget_share, which also paces cycles).
    max_requests_per_hour: int | None = Field(default=None, ge=1)
    threads_per_endpoint: int = Field(default=3, ge=1, le=10)
    threshold_poll_s: float = Field(default=300.0, ge=30, le=3600)
    # Count requests in the store, shared by every process using it (ADR 44); unset: shared
    # with PostgreSQL, per process with SQLite.
    shared_budget: bool | None = None
    # The zone the tenant keeps date-only values in (UNCONFIRMED; ADR 21): a written day that
    # reads back as that day in this zone counts as written.
    timezone: str = "UTC"
    # How queries page (ADR 6): "id" re-queries with id gt the highest id seen; "next_page_url"
    # follows Autotask's pageDetails.nextPageUrl. That the service sorts by id is UNCONFIRMED.
    paging: Literal["id", "next_page_url"] = "id"
    # How long the zone, picklists and vendor ids are kept in the store between processes
    # (ADR 24); 0 asks Autotask afresh in every process.
    metadata_cache_s: float = Field(default=86_400.0, ge=0, le=30 * 86_400)
    # Which error texts mean what; Autotask does not document them (UNCONFIRMED, ADR 23).
    unknown_user_error_texts: list[str] = Field(
        default_factory=lambda: list(_AT_WORDS.unknown_user)
    )
    integration_code_error_texts: list[str] = Field(
        default_factory=lambda: list(_AT_WORDS.integration_code)
    )
    permission_error_texts: list[str] = Field(default_factory=lambda: list(_AT_WORDS.permission))
    thread_limit_error_texts: list[str] = Field(
        default_factory=lambda: list(_AT_WORDS.thread_limit)
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _zone_name(value)

    @field_validator(
        "unknown_user_error_texts",
        "integration_code_error_texts",
        "permission_error_texts",
        "thread_limit_error_texts",
    )
    @classmethod
    def _texts(cls, value: list[str]) -> list[str]:
        return _error_texts(value)

    def error_texts(self) -> ErrorTexts:
        """The configured error texts as the adapter matches them."""
        return ErrorTexts(
            unknown_user=tuple(self.unknown_user_error_texts),
            integration_code=tuple(self.integration_code_error_texts),
            permission=tuple(self.permission_error_texts),
            thread_limit=tuple(self.thread_limit_error_texts),
        )

    @field_validator("vendor_company_ids")
    @classmethod
    def _positive_ids(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value):
            raise ValueError("company ids are positive whole numbers")
        return value


class TdSynnexSettings(_Section):
    """``[tdsynnex]``: the TD SYNNEX XML account and where its services live."""

    region: Literal["US", "CA"] = "US"
    environment: Literal["production", "test"] = "production"
    status_url: AnyHttpUrl | None = None
    invoice_url: AnyHttpUrl | None = None
    customer_number: str | None = None
    user_id: str | None = None
    password: SecretStr | None = None
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    # Look invoices up (a separate TD SYNNEX service that may need its own enablement).
    invoices: bool = True
    # TD SYNNEX writes times without an offset; its guide shows US Pacific (ADR 21).
    timezone: str = "America/Los_Angeles"
    # The ``version`` attribute of each request (seen in public clients; UNCONFIRMED, ADR 23).
    status_request_version: str = "2.7"
    invoice_request_version: str = "2.2"
    # Which error texts mean what (matched as case-insensitive parts; UNCONFIRMED, ADR 23).
    auth_error_texts: list[str] = Field(default_factory=lambda: list(_TD_WORDS.auth))
    ip_refusal_texts: list[str] = Field(default_factory=lambda: list(_TD_WORDS.ip_not_allowed))
    transient_error_texts: list[str] = Field(default_factory=lambda: list(_TD_WORDS.transient))
    not_found_texts: list[str] = Field(default_factory=lambda: list(_TD_WORDS.not_found))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _zone_name(value)

    @field_validator(
        "auth_error_texts", "ip_refusal_texts", "transient_error_texts", "not_found_texts"
    )
    @classmethod
    def _texts(cls, value: list[str]) -> list[str]:
        return _error_texts(value)

    @field_validator("status_request_version", "invoice_request_version")
    @classmethod
    def _version(cls, value: str) -> str:
        version = value.strip()
        if version and not _VERSION.fullmatch(version):
            raise ValueError(f'{value!r} is not a version such as 2.7 (or "" to send none)')
        return version

    def error_vocabulary(self) -> ErrorVocabulary:
        """The configured error texts as the adapter matches them."""
        return ErrorVocabulary(
            transient=tuple(self.transient_error_texts),
            ip_not_allowed=tuple(self.ip_refusal_texts),
            auth=tuple(self.auth_error_texts),
            not_found=tuple(self.not_found_texts),
        )

    @field_validator("region", mode="before")
    @classmethod
    def _upper_region(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class StoreSettings(_Section):
    """``[store]``: where orderbridge keeps state, history and the activity log."""

    url: str = "sqlite:///orderbridge.db"
    # The key that encrypts tenants' credentials in the store, unless ORDERBRIDGE_SECRET_KEY
    # is set (ADR 49); relative paths are from the working directory, like the store's.
    secret_key_file: Path = Path("orderbridge.key")

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("use sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DATABASE")
        return value

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is a SQLite file (one host; PostgreSQL serves several)."""
        return self.url.startswith("sqlite:")

    @property
    def missing_sqlite_file(self) -> bool:
        """Whether the store is a SQLite file that does not exist yet (a store with nothing in
        it, tenants included); read without loading the database code."""
        name = self.url.removeprefix("sqlite:///").split("?", 1)[0]
        return self.is_sqlite and name not in ("", ":memory:") and not Path(name).exists()


class SyncSettings(_Section):
    """``[sync]``: how a sync cycle runs, how often, over which orders, and whether at all."""

    concurrency: int = Field(default=8, ge=1, le=64)
    enabled: bool = True
    frequency: str = "hourly"
    daily_at: str = "06:00"
    timezone: str = "UTC"
    min_gap_s: float = Field(default=60.0, gt=0, le=86_400)
    scope: str = "active"
    budget_share: float = Field(default=0.5, gt=0, le=1)
    lease_ttl_s: float = Field(default=120.0, ge=10, le=3_600)
    # Orders per job when workers run the cycle (``orderbridge worker``); one Autotask query
    # reads a batch's POs again, so it stays well under Autotask's page of 500.
    batch_size: int = Field(default=200, ge=1, le=500)
    # Per-order check schedules (see ``orderbridge.domain.check_schedule``); intervals in hours.
    adaptive: bool = True
    adaptive_submitted_h: float = Field(default=1.0, gt=0, le=720)
    adaptive_young_h: float = Field(default=6.0, ge=0, le=720)
    adaptive_near_h: float = Field(default=1.0, gt=0, le=720)
    adaptive_lead_days: float = Field(default=1.0, ge=0, le=60)
    adaptive_far_h: float = Field(default=24.0, gt=0, le=720)
    adaptive_accepted_h: float = Field(default=4.0, gt=0, le=720)
    adaptive_held_h: float = Field(default=6.0, gt=0, le=720)
    adaptive_shipped_h: float = Field(default=12.0, gt=0, le=720)
    adaptive_settling_h: float = Field(default=24.0, gt=0, le=720)
    adaptive_early_s: float = Field(default=600.0, ge=0, le=86_400)

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, value: str) -> str:
        return Frequency.parse(value).text

    @field_validator("daily_at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        return f"{Frequency.parse('daily', daily_at=value).daily_at:%H:%M}"

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        return Frequency.parse("hourly", timezone=value.strip()).timezone

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, value: str) -> str:
        return StatusScope.parse(value).text

    def schedule(self) -> Frequency:
        """The configured update frequency with its time of day, zone and real-time gap."""
        return Frequency.parse(
            self.frequency,
            daily_at=self.daily_at,
            timezone=self.timezone,
            min_gap_s=self.min_gap_s,
        )

    def status_scope(self) -> StatusScope:
        """The configured status scope."""
        return StatusScope.parse(self.scope)

    def check_policy(self) -> CheckPolicy:
        """The per-order check schedule's intervals (``adaptive_*``)."""
        return CheckPolicy(
            submitted=timedelta(hours=self.adaptive_submitted_h),
            young_for=timedelta(hours=self.adaptive_young_h),
            near=timedelta(hours=self.adaptive_near_h),
            lead=timedelta(days=self.adaptive_lead_days),
            far=timedelta(hours=self.adaptive_far_h),
            accepted=timedelta(hours=self.adaptive_accepted_h),
            held=timedelta(hours=self.adaptive_held_h),
            shipped=timedelta(hours=self.adaptive_shipped_h),
            settling=timedelta(hours=self.adaptive_settling_h),
            early=timedelta(seconds=self.adaptive_early_s),
        )

    @model_validator(mode="after")
    def _sane_check_policy(self) -> SyncSettings:
        if self.adaptive_near_h > self.adaptive_far_h:
            raise ValueError("adaptive_near_h cannot be more than adaptive_far_h")
        return self


class RetrySettings(_Section):
    """``[retry]``: how often and how long a failed upstream request is tried again."""

    attempts: int = Field(default=3, ge=1, le=10)
    initial_backoff_s: float = Field(default=0.5, ge=0, le=60)
    max_backoff_s: float = Field(default=10.0, ge=0, le=600)
    total_timeout_s: float = Field(default=60.0, gt=0, le=3_600)

    @field_validator("max_backoff_s")
    @classmethod
    def _not_below_initial(cls, value: float, info: ValidationInfo) -> float:
        initial = info.data.get("initial_backoff_s")
        if isinstance(initial, float | int) and value < initial:
            raise ValueError(f"must be at least retry.initial_backoff_s ({initial:g})")
        return value


class LoggingSettings(_Section):
    """``[logging]``: how much orderbridge logs, and in which format."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    format: Literal["auto", "json", "console"] = "auto"

    @field_validator("level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class MappingSettings(_Section):
    """``[mapping]``: which Autotask fields orderbridge writes."""

    write_general_memo: bool = True
    write_shipping_date: bool = True
    write_invoice_numbers: bool = True
    write_additional_invoice_numbers: bool = True
    write_item_eta: bool = True
    write_item_memo: bool = True
    history_lines_in_memo: int = Field(default=10, ge=0, le=50)
    # Off by default: the PO's freight feeds its costing (records, ADR 0035).
    write_freight: bool = False


class CarrierSettings(_Section):
    """``[carriers]``: tracking links, and the carriers' tracking APIs (each optional)."""

    tracking_urls: dict[str, str] = Field(default_factory=dict)
    ups: CarrierApiSettings = Field(default_factory=CarrierApiSettings)
    fedex: CarrierApiSettings = Field(default_factory=CarrierApiSettings)
    usps: CarrierApiSettings = Field(default_factory=CarrierApiSettings)
    dhl: DhlApiSettings = Field(default_factory=DhlApiSettings)
    overdue_after_days: int = Field(default=10, ge=1, le=120)

    def apis(self) -> dict[str, CarrierApiSettings | DhlApiSettings]:
        """Each carrier's API section by name (ups, fedex, usps, dhl)."""
        return {"ups": self.ups, "fedex": self.fedex, "usps": self.usps, "dhl": self.dhl}

    def secret_values(self) -> list[str]:
        """The carriers' secrets in plain text (for the log redactor only)."""
        found = [self.ups.client_secret, self.fedex.client_secret, self.usps.client_secret]
        found.append(self.dhl.api_key)
        return [v.get_secret_value() for v in found if v is not None and v.get_secret_value()]

    @field_validator("tracking_urls")
    @classmethod
    def _has_placeholder(cls, value: dict[str, str]) -> dict[str, str]:
        for carrier, template in value.items():
            if template and "{tracking_number}" not in template:
                raise ValueError(
                    f"the template for {carrier!r} needs a {{tracking_number}} placeholder "
                    "(or an empty string to turn that carrier's links off)"
                )
            if template and not template.startswith(("https://", "http://")):
                raise ValueError(f"the template for {carrier!r} must be an http(s) URL")
        return value


class OidcSettings(_Section):
    """``[web.oidc]``: single sign-on through OpenID Connect (e.g. Microsoft Entra ID).

    Off until ``issuer`` is set. A signed-in person gets the admin role when one of their
    groups is in ``admin_groups`` or their e-mail domain in ``admin_domains``, else the viewer
    role by ``viewer_groups``/``viewer_domains``, else no access.
    """

    issuer: AnyHttpUrl | None = None
    client_id: str = ""
    client_secret: SecretStr | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    groups_claim: str = "groups"
    admin_groups: list[str] = Field(default_factory=list)
    viewer_groups: list[str] = Field(default_factory=list)
    admin_domains: list[str] = Field(default_factory=list)
    viewer_domains: list[str] = Field(default_factory=list)
    button_label: str = "Sign in with single sign-on"
    timeout_s: float = Field(default=15.0, gt=0, le=120)

    @field_validator("admin_domains", "viewer_domains")
    @classmethod
    def _lower_domains(cls, value: list[str]) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in value if d.strip()]

    @property
    def enabled(self) -> bool:
        """Whether single sign-on is configured."""
        return self.issuer is not None


class WebSettings(_Section):
    """``[web]``: the dashboard and JSON API (``orderbridge serve``, or inside ``run``)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65_535)
    public_metrics: bool = False
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    stuck_after_days: int = Field(default=14, ge=1, le=365)
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    backordered_after_days: int = Field(default=7, ge=0, le=365)
    # Autotask documents no address for a PO's page, so the link is the user's template.
    autotask_po_url: str = ""

    @field_validator("autotask_po_url")
    @classmethod
    def _po_url_template(cls, value: str) -> str:
        if value and ("{po_id}" not in value or not value.startswith(("https://", "http://"))):
            raise ValueError(
                "use an http(s) address with a {po_id} placeholder, copied from a PO's page "
                "in Autotask, or leave it empty for no link"
            )
        return value


class RetentionSettings(_Section):
    """``[retention]``: when finished orders are archived and how long logs are kept."""

    archive_after_days: int = Field(default=180, ge=1, le=36_500)
    activity_log_days: int = Field(default=365, ge=1, le=36_500)
    audit_days: int | None = Field(default=None, ge=1, le=36_500)


class BackupSettings(_Section):
    """``[backup]``: scheduled backups by the daemon (off until ``directory`` is set)."""

    directory: Path | None = None
    keep: int = Field(default=7, ge=1, le=1000)
    interval_hours: float = Field(default=24.0, gt=0, le=24 * 31)


class WorkerSettings(_Section):
    """``[workers]``: ``orderbridge worker`` and ``orderbridge scheduler`` (PostgreSQL store)."""

    concurrency: int = Field(default=4, ge=1, le=64)
    heartbeat_s: float = Field(default=10.0, ge=1, le=600)
    stalled_after_s: float = Field(default=60.0, ge=3, le=3_600)
    scheduler_poll_s: float = Field(default=15.0, ge=0.5, le=3_600)

    @model_validator(mode="after")
    def _stalled_after_heartbeats(self) -> WorkerSettings:
        if self.stalled_after_s <= self.heartbeat_s:
            raise ValueError(
                f"stalled_after_s ({self.stalled_after_s:g}) must be more than heartbeat_s "
                f"({self.heartbeat_s:g}): a live worker would be taken for dead"
            )
        return self


class Settings(BaseSettings):
    """The whole configuration."""

    model_config = SettingsConfigDict(
        env_prefix="ORDERBRIDGE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    autotask: AutotaskSettings = Field(default_factory=AutotaskSettings)
    tdsynnex: TdSynnexSettings = Field(default_factory=TdSynnexSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    mapping: MappingSettings = Field(default_factory=MappingSettings)
    carriers: CarrierSettings = Field(default_factory=CarrierSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)  # issue 11
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    # Which tenant these settings serve: not a key of the file (``--tenant`` chooses it).
    _tenant: str = PrivateAttr(default=DEFAULT_TENANT)

    @property
    def tenant(self) -> str:
        """The tenant these settings serve (``default`` for a configuration file alone)."""
        return self._tenant

    def with_tenant(self, name: str) -> Settings:
        """These settings, serving tenant ``name``."""
        copy = self.model_copy()
        object.__setattr__(copy, "__pydantic_private__", {"_tenant": name})
        return copy

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init values, then the environment, then the TOML file."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def secret_values(self) -> list[str]:
        """Every configured secret in plain text, for the log redactor (never print these)."""
        values = (
            self.autotask.secret,
            self.autotask.integration_code,
            self.tdsynnex.password,
            self.web.oidc.client_secret,
        )
        found = [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]
        return found + self.notifications.secret_values() + self.carriers.secret_values()

    def credential_problems(self) -> list[str]:
        """What is missing before orderbridge can talk to both services."""
        problems: list[str] = []
        at, td = self.autotask, self.tdsynnex
        for key, value in (
            ("autotask.username", at.username),
            ("autotask.secret", at.secret),
            ("autotask.integration_code", at.integration_code),
            ("tdsynnex.customer_number", td.customer_number),
            ("tdsynnex.user_id", td.user_id),
            ("tdsynnex.password", td.password),
        ):
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if value is None or not value.strip():
                problems.append(f"{key}: required to sync; set it in the file or the environment")
        if (td.status_url is None) != (td.invoice_url is None):
            problems.append(
                "tdsynnex.status_url / tdsynnex.invoice_url: give both, or neither and use "
                "tdsynnex.region and tdsynnex.environment"
            )
        return problems


def resolve_config_path(explicit: Path | None) -> Path | None:
    """The config file: ``--config``, else ``$ORDERBRIDGE_CONFIG``, else ./orderbridge.toml."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("ORDERBRIDGE_CONFIG")
    if from_env:
        return Path(from_env)
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def _problem_lines(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(file)"
        message = err["msg"]
        if err["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        elif err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against docs/configuration.md)"
        lines.append(f"{key}: {message}")
    return lines


def settings_from(data: dict[str, Any]) -> Settings:
    """Settings from plain data (no file, no environment); ``ConfigError`` when invalid."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problem_lines(exc)) from None


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Read and validate the configuration, raising ``ConfigError`` with one line per problem."""
    config_path = resolve_config_path(path)
    if config_path is not None and not config_path.is_file():
        raise ConfigError([f"config file: {config_path} does not exist or is not a file"])

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=config_path)

    try:
        loaded = _FromFile(**overrides)
    except ValidationError as exc:
        raise ConfigError(_problem_lines(exc)) from None
    except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError([f"config file {config_path}: {exc}"]) from None
    # exclude_unset keeps which keys the file or environment set (``settings`` shows it).
    return Settings.model_validate(loaded.model_dump(exclude_unset=True))


def config_file_warnings(path: Path | None) -> list[str]:
    """Warnings about the config file itself (a world- or group-readable file holding secrets)."""
    if path is None or not path.is_file():
        return []
    mode = path.stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH) and _mentions_secrets(path):
        return [
            f"{path} holds secrets but other users can read it; run: chmod 600 {path}",
        ]
    return []


def _mentions_secrets(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace").replace("secret_key_file", "")
    return any(word in text for word in ("secret", "password", "integration_code", "api_key"))
