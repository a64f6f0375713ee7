"""Dashboard accounts in the store (``AccountStore``): users, sessions, API tokens, throttling.

Passwords arrive already hashed (argon2) and session cookies and API tokens as their sha256, so
nothing here could be replayed from a copy of the database.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderbridge.ports import AccountExists, TokenRecord, UserRecord

from ._statements import execute, table_of
from ._tables import ApiTokenRow, LoginFailureRow, WebSessionRow, WebUserRow

if TYPE_CHECKING:
    from orderbridge.ports import AccountStore

__all__ = ["SqlAccounts"]

Transaction = Callable[[str], AbstractContextManager[Session]]

WEB_SESSION = table_of(WebSessionRow)
API_TOKEN = table_of(ApiTokenRow)
LOGIN_FAILURE = table_of(LoginFailureRow)
WEB_USER = table_of(WebUserRow)
# Failed sign-ins older than this are forgotten (throttling windows are far shorter).
FAILURES_KEPT = timedelta(days=1)
# Not an argon2 hash, so no password ever matches: such users sign in through SSO only.
SSO_ONLY = "!sso"
# A token's last use is written at most this often, so API reads rarely take the write lock.
LAST_USED_EVERY = timedelta(minutes=5)


def _user(row: WebUserRow) -> UserRecord:
    return UserRecord(row.id, row.username, row.role, row.password_hash, row.created_at)


def _token(row: ApiTokenRow) -> TokenRecord:
    return TokenRecord(row.id, row.name, row.role, row.created_at, row.last_used_at)


class SqlAccounts:
    """``AccountStore`` on the store's engine (built by ``SqlStore.accounts``)."""

    def __init__(self, read: Transaction, write: Transaction) -> None:
        self._read = read
        self._write = write

    def add_user(self, username: str, role: str, password_hash: str, now: datetime) -> None:
        """Create a user."""
        try:
            with self._write(f"adding user {username}") as session:
                session.add(
                    WebUserRow(
                        username=username,
                        role=role,
                        password_hash=password_hash,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except Exception as error:
            if isinstance(error.__cause__, IntegrityError):
                raise AccountExists(f"a user called {username!r} already exists") from None
            raise

    def users(self) -> list[UserRecord]:
        """Every user by name."""
        with self._read("listing users") as session:
            return [_user(r) for r in session.scalars(select(WebUserRow).order_by("username"))]

    def ensure_sso_user(self, username: str, role: str, now: datetime) -> UserRecord:
        """Create the SSO user, or bring their role in line with the identity provider's."""
        with self._write(f"signing in {username}") as session:
            row = session.scalar(select(WebUserRow).where(WebUserRow.username == username))
            if row is None:
                row = WebUserRow(
                    username=username,
                    role=role,
                    password_hash=SSO_ONLY,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
            elif row.role != role:
                row.role, row.updated_at = role, now
            session.flush()
            return _user(row)

    def user(self, username: str) -> UserRecord | None:
        """One user."""
        with self._read(f"reading user {username}") as session:
            row = session.scalar(select(WebUserRow).where(WebUserRow.username == username))
            return None if row is None else _user(row)

    def remove_user(self, username: str) -> bool:
        """Delete a user (their sessions go with them)."""
        with self._write(f"removing user {username}") as session:
            user_id = session.scalar(select(WebUserRow.id).where(WebUserRow.username == username))
            if user_id is None:
                return False
            execute(session, delete(WEB_SESSION).where(WEB_SESSION.c.user_id == user_id))
            execute(session, delete(WEB_USER).where(WEB_USER.c.id == user_id))
            return True

    def set_password_hash(self, username: str, password_hash: str, now: datetime) -> bool:
        """Replace the hash; every session of the user ends."""
        with self._write(f"changing the password of {username}") as session:
            user_id = session.scalar(select(WebUserRow.id).where(WebUserRow.username == username))
            if user_id is None:
                return False
            execute(
                session,
                update(WEB_USER)
                .where(WEB_USER.c.id == user_id)
                .values(password_hash=password_hash, updated_at=now),
            )
            execute(session, delete(WEB_SESSION).where(WEB_SESSION.c.user_id == user_id))
            return True

    def add_session(
        self, token_hash: str, user_id: int, csrf_token: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a session; expired ones are swept out at the same time."""
        with self._write("signing in") as session:
            execute(session, delete(WEB_SESSION).where(WEB_SESSION.c.expires_at <= now))
            session.add(
                WebSessionRow(
                    token_hash=token_hash,
                    user_id=user_id,
                    csrf_token=csrf_token,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def session(self, token_hash: str, now: datetime) -> tuple[UserRecord, str] | None:
        """The user and CSRF token of an unexpired session."""
        with self._read("reading a session") as session:
            row = session.execute(
                select(WebUserRow, WebSessionRow.csrf_token)
                .join(WebSessionRow, WebSessionRow.user_id == WebUserRow.id)
                .where(WebSessionRow.token_hash == token_hash, WebSessionRow.expires_at > now)
            ).first()
            return None if row is None else (_user(row[0]), str(row[1]))

    def remove_session(self, token_hash: str) -> None:
        """Sign out."""
        with self._write("signing out") as session:
            execute(session, delete(WEB_SESSION).where(WEB_SESSION.c.token_hash == token_hash))

    def add_token(self, name: str, role: str, token_hash: str, now: datetime) -> None:
        """Store a token's hash."""
        try:
            with self._write(f"creating token {name}") as session:
                session.add(
                    ApiTokenRow(name=name, role=role, token_hash=token_hash, created_at=now)
                )
        except Exception as error:
            if isinstance(error.__cause__, IntegrityError):
                raise AccountExists(f"a token called {name!r} already exists") from None
            raise

    def tokens(self) -> list[TokenRecord]:
        """Every token by name."""
        with self._read("listing tokens") as session:
            return [_token(r) for r in session.scalars(select(ApiTokenRow).order_by("name"))]

    def token(self, token_hash: str, now: datetime) -> TokenRecord | None:
        """The token with this hash; its last use is noted every few minutes."""
        with self._read("checking a token") as session:
            row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))
            if row is None:
                return None
            found = _token(row)
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_EVERY:
            with self._write("noting a token's use") as session:
                execute(
                    session,
                    update(API_TOKEN).where(API_TOKEN.c.id == found.id).values(last_used_at=now),
                )
        return found

    def remove_token(self, name: str) -> bool:
        """Revoke a token."""
        with self._write(f"revoking token {name}") as session:
            return execute(session, delete(API_TOKEN).where(API_TOKEN.c.name == name)).rowcount > 0

    def add_login_failure(self, username: str, remote: str, at: datetime) -> None:
        """Record one failure and forget the stale ones."""
        with self._write("recording a failed sign-in") as session:
            execute(session, delete(LOGIN_FAILURE).where(LOGIN_FAILURE.c.at < at - FAILURES_KEPT))
            session.add(LoginFailureRow(username=username[:64], remote=remote[:64], at=at))

    def login_failures(self, username: str, remote: str, since: datetime) -> tuple[int, int]:
        """Failures since ``since`` for the name and for the address."""
        with self._read("counting failed sign-ins") as session:
            by_user = session.scalar(
                select(func.count())
                .select_from(LoginFailureRow)
                .where(LoginFailureRow.username == username[:64], LoginFailureRow.at >= since)
            )
            by_remote = session.scalar(
                select(func.count())
                .select_from(LoginFailureRow)
                .where(LoginFailureRow.remote == remote[:64], LoginFailureRow.at >= since)
            )
            return int(by_user or 0), int(by_remote or 0)

    def clear_login_failures(self, username: str) -> None:
        """Forget the name's failures."""
        with self._write("clearing failed sign-ins") as session:
            execute(session, delete(LOGIN_FAILURE).where(LOGIN_FAILURE.c.username == username))


if TYPE_CHECKING:

    def _satisfies_the_port(accounts: SqlAccounts) -> AccountStore:
        """Type-checked proof that ``SqlAccounts`` implements ``AccountStore``."""
        return accounts
