"""Capturing log records raw (before any redactor touches them) and undoing logging setup."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

__all__ = ["RawRecords", "logging_restored", "raw_records"]

_WATCHED = ("orderbridge", "httpx2", "httpcore2", "uvicorn", "alembic", "sqlalchemy")


class RawRecords(logging.Handler):
    """Keeps every record's text as it was emitted: message, arguments and extra fields."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Rendered now: a redacting filter further up may rewrite the record afterwards.
        self.texts.append(f"{record.getMessage()} {record.__dict__!r}")

    @property
    def text(self) -> str:
        """Everything captured, one record per line."""
        return "\n".join(self.texts)


@contextmanager
def logging_restored() -> Iterator[None]:
    """Put the root logger, the watched loggers and structlog back as they were on exit."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in _WATCHED}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
        structlog.reset_defaults()


@contextmanager
def raw_records() -> Iterator[RawRecords]:
    """Capture DEBUG and up from orderbridge's own loggers, whatever the root logger does."""
    capture = RawRecords()
    logger = logging.getLogger("orderbridge")
    old_level = logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.setLevel(old_level)
