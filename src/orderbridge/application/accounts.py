"""Dashboard accounts: users with roles, sign-in with throttling, sessions and API tokens.

Passwords are hashed by a ``PasswordHasher`` (argon2 in production) before the store sees them.
Session cookies and API tokens are random secrets handed out once; the store keeps only their
sha256, which is enough because they carry 256 bits of randomness (a slow hash protects
guessable passwords, not random tokens).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from orderbridge.ports import AccountStore, TokenRecord, UserRecord

__all__ = [
    "ADMIN",
    "ROLES",
    "VIEWER",
    "AccountError",
    "Accounts",
    "LoginRefused",
    "LoginThrottled",
    "PasswordHasher",
    "SignedIn",
    "digest",
]

ADMIN, VIEWER = "admin", "viewer"
ROLES = (ADMIN, VIEWER)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
TOKEN_PREFIX = "obt_"  # noqa: S105 - a marker, not a secret


class AccountError(ValueError):
    """A user, password or token request that cannot be carried out; the message says why."""


class LoginRefused(AccountError):
    """Wrong user name or password (deliberately not saying which)."""


class LoginThrottled(AccountError):
    """Too many failed sign-ins recently; try again later."""


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2)."""

    def hash(self, password: str) -> str:
        """A hash to store."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches (False, never an exception, when it does not)."""
        ...


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the cookie secret (shown once), its CSRF token and the user."""

    session_secret: str
    csrf_token: str
    user: UserRecord


def digest(secret: str) -> str:
    """The sha256 under which a session or token secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str, what: str = "user name") -> str:
    """A user or token name: letters, digits and . _ @ + -, up to 64 characters."""
    if not _NAME.fullmatch(name):
        raise AccountError(
            f"{name!r} is not a valid {what}: use 1 to 64 letters, digits, dots, dashes, "
            "underscores, @ or +, starting with a letter or digit"
        )
    return name


def check_role(role: str) -> str:
    """``admin`` or ``viewer``."""
    if role not in ROLES:
        raise AccountError(f"{role!r} is not a role; use admin or viewer")
    return role


def check_password(password: str) -> str:
    """At least ten characters, not only spaces."""
    if len(password) < MIN_PASSWORD or not password.strip():
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password is too long: use at most {MAX_PASSWORD} characters")
    return password


class Accounts:
    """Users, sign-in, sessions and API tokens over an ``AccountStore``."""

    def __init__(
        self,
        store: AccountStore,
        hasher: PasswordHasher,
        *,
        clock: Callable[[], datetime],
        session_ttl: timedelta = timedelta(hours=12),
        failures_per_user: int = 5,
        failures_per_address: int = 20,
        failure_window: timedelta = timedelta(minutes=15),
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._clock = clock
        self._ttl = session_ttl
        self._per_user = failures_per_user
        self._per_address = failures_per_address
        self._window = failure_window
        self._dummy_hash: str | None = None

    # -- users ----------------------------------------------------------------------------------

    def add_user(self, username: str, role: str, password: str) -> None:
        """Create a user; ``AccountError`` for a bad name, role or password."""
        check_name(username)
        check_role(role)
        check_password(password)
        try:
            self._store.add_user(username, role, self._hasher.hash(password), self._clock())
        except ValueError as exc:  # AccountExists
            raise AccountError(str(exc)) from None

    def users(self) -> list[UserRecord]:
        """Every user."""
        return self._store.users()

    def remove_user(self, username: str) -> None:
        """Delete a user; ``AccountError`` if there is none."""
        if not self._store.remove_user(username):
            raise AccountError(f"there is no user called {username!r}")

    def change_password(self, username: str, password: str) -> None:
        """Set a new password; the user's sessions end."""
        check_password(password)
        if not self._store.set_password_hash(username, self._hasher.hash(password), self._clock()):
            raise AccountError(f"there is no user called {username!r}")

    # -- sign-in and sessions ---------------------------------------------------------------------

    def sign_in(self, username: str, password: str, remote: str) -> SignedIn:
        """Check the password and open a session; ``LoginThrottled`` or ``LoginRefused``."""
        now = self._clock()
        by_user, by_address = self._store.login_failures(username, remote, now - self._window)
        if by_user >= self._per_user or by_address >= self._per_address:
            minutes = int(self._window.total_seconds() // 60)
            raise LoginThrottled(f"too many failed sign-ins; wait {minutes} minutes and try again")
        user = self._store.user(username) if _NAME.fullmatch(username) else None
        # Verify against a dummy hash for unknown names so timing does not reveal which exist.
        ok = self._hasher.verify(
            user.password_hash if user else self._dummy(), password[:MAX_PASSWORD]
        )
        if user is None or not ok:
            self._store.add_login_failure(username, remote, now)
            raise LoginRefused("wrong user name or password")
        self._store.clear_login_failures(username)
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._store.add_session(digest(secret), user.id, csrf, now, now + self._ttl)
        return SignedIn(secret, csrf, user)

    def sign_in_sso(self, username: str, role: str) -> SignedIn:
        """Open a session for someone the identity provider vouched for (SSO)."""
        check_name(username)
        check_role(role)
        now = self._clock()
        user = self._store.ensure_sso_user(username, role, now)
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._store.add_session(digest(secret), user.id, csrf, now, now + self._ttl)
        return SignedIn(secret, csrf, user)

    def session(self, secret: str) -> tuple[UserRecord, str] | None:
        """The user and CSRF token behind a session cookie, if it is valid."""
        if not secret:
            return None
        return self._store.session(digest(secret), self._clock())

    def sign_out(self, secret: str) -> None:
        """End a session."""
        self._store.remove_session(digest(secret))

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    # -- API tokens -----------------------------------------------------------------------------

    def create_token(self, name: str, role: str) -> str:
        """A new token (returned once, never stored)."""
        check_name(name, "token name")
        check_role(role)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            self._store.add_token(name, role, digest(token), self._clock())
        except ValueError as exc:  # AccountExists
            raise AccountError(str(exc)) from None
        return token

    def tokens(self) -> list[TokenRecord]:
        """Every token's name and role."""
        return self._store.tokens()

    def revoke_token(self, name: str) -> None:
        """Delete a token; ``AccountError`` if there is none."""
        if not self._store.remove_token(name):
            raise AccountError(f"there is no token called {name!r}")

    def token(self, secret: str) -> TokenRecord | None:
        """The token a ``Bearer`` secret stands for, if any."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        return self._store.token(digest(secret), self._clock())
