"""Logging for every entrypoint: structlog over the standard library, secrets redacted.

Adapters log with the standard library (``logging.getLogger(__name__)``); this module routes those
records and structlog's own through one pipeline. On a terminal the output is readable console
text; otherwise one JSON object per line. Any configured secret value that reaches a log line is
replaced by ``***`` before it is written — a second line of defence behind the adapters, which
never log credentials in the first place.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, Literal

import structlog

from orderbridge.redaction import MASK, is_sensitive_key, redact

__all__ = ["LogFormat", "configure_logging", "redact_secrets"]

LogFormat = Literal["auto", "json", "console"]

# A secret shorter than this would mask ordinary words all over the log.
_MIN_SECRET_LENGTH = 4


class _SecretFilter(logging.Filter):
    """Masks known secret values in every record's message and arguments."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if len(s) >= _MIN_SECRET_LENGTH)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            masked = redact(message, self.secrets)
            if masked != message:
                record.msg, record.args = masked, None
        return True


def redact_secrets(secrets: Iterable[str]) -> structlog.types.Processor:
    """A structlog processor masking secret values and sensitive keys in an event dict."""
    masker = _SecretFilter(secrets)

    def processor(
        logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key, value in list(event.items()):
            if is_sensitive_key(key):
                event[key] = MASK
            elif isinstance(value, str):
                event[key] = redact(value, masker.secrets)
        return event

    return processor


def configure_logging(
    *, level: str = "WARNING", fmt: LogFormat = "auto", secrets: Iterable[str] = ()
) -> None:
    """Set up logging once per process (safe to call again; the last call wins)."""
    secrets = tuple(secrets)
    json_output = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets(secrets),
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_SecretFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx2", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
