"""The store's one error type, and the translation of driver errors into it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.engine import URL

from orderbridge.ports import StoreUnavailable
from orderbridge.redaction import redact, redact_url

__all__ = ["StoreError", "shown_url", "translate_errors"]


class StoreError(StoreUnavailable):
    """The database could not do what was asked; the message says what to check."""


def shown_url(url: URL) -> str:
    """The URL as text with any password replaced by ``***``."""
    return redact_url(url.render_as_string(hide_password=False))


def _missing_schema(reason: str) -> bool:
    """True when the driver complains about a table that migrations would create."""
    lowered = reason.lower()
    return "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered)


def _advice(reason: str, url: URL) -> str:
    """A hint a user can act on, chosen by what the driver said."""
    lowered = reason.lower()
    where = shown_url(url)
    if "unable to open database file" in lowered:
        return (
            f"cannot open the SQLite database file of {where}: "
            "check that its directory exists and is writable by this user"
        )
    if "readonly database" in lowered or "read-only" in lowered:
        return f"the database {where} is read-only: check file and directory permissions"
    if "database is locked" in lowered or "database table is locked" in lowered:
        return (
            f"the database {where} is locked by another process and stayed locked: "
            "make sure only one orderbridge process writes to this SQLite file, "
            "or move to PostgreSQL"
        )
    if "password authentication failed" in lowered or "authentication" in lowered:
        return f"the database {where} refused the login: check the user name and password"
    if "does not exist" in lowered and "database" in lowered:
        return f"the database named in {where} does not exist: create it or fix the URL"
    return (
        f"cannot reach the database {where}: "
        "check that the server is running and that the URL, port and network are right"
    )


def describe(error: exc.SQLAlchemyError, url: URL, action: str) -> str:
    """A user-facing message for ``error`` raised while ``action``, without secrets."""
    original = getattr(error, "orig", None)
    # the driver may echo the password
    reason = redact(str(original if original is not None else error).strip(), [url.password or ""])
    first_line = reason.splitlines()[0] if reason else type(error).__name__
    if _missing_schema(reason):
        return (
            f"{action} failed: the database {shown_url(url)} has no orderbridge tables yet: "
            "start orderbridge once (`orderbridge sync --once` or `orderbridge run`); "
            "that applies the migrations"
        )
    if isinstance(error, exc.IntegrityError):
        return f"{action} failed: the database rejected the data ({first_line})"
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        return f"{action} failed: {_advice(reason, url)} (driver said: {first_line})"
    return f"{action} failed on {shown_url(url)}: {first_line}"


@contextmanager
def translate_errors(url: URL, action: str) -> Iterator[None]:
    """Turn SQLAlchemy/driver errors raised inside the block into ``StoreError``."""
    try:
        yield
    except exc.SQLAlchemyError as error:
        raise StoreError(describe(error, url, action)) from error
