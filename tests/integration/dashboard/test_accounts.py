"""Users, sign-in throttling, sessions and API tokens over a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from orderbridge.adapters.passwords import Argon2Hasher
from orderbridge.adapters.store import SqlStore
from orderbridge.application.accounts import (
    AccountError,
    Accounts,
    LoginRefused,
    LoginThrottled,
)

PASSWORD = "correct horse battery"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(store: SqlStore, clock: Clock) -> Accounts:
    return Accounts(store.accounts(), Argon2Hasher(), clock=clock)


def test_passwords_and_tokens_are_stored_only_as_hashes(
    accounts: Accounts, store: SqlStore
) -> None:
    accounts.add_user("alice", "admin", PASSWORD)
    token = accounts.create_token("backup-script", "viewer")
    signed = accounts.sign_in("alice", PASSWORD, "127.0.0.1")
    with store.engine.connect() as connection:
        dump = "\n".join(
            str(row)
            for table in ("web_user", "api_token", "web_session")
            for row in connection.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
        )
    assert "$argon2id$" in dump
    for secret in (PASSWORD, token, signed.session_secret):
        assert secret not in dump
    found = accounts.token(token)
    assert found is not None
    assert (found.name, found.role) == ("backup-script", "viewer")
    assert accounts.token(token + "x") is None


def test_sign_in_and_out(accounts: Accounts) -> None:
    accounts.add_user("bob", "viewer", PASSWORD)
    with pytest.raises(LoginRefused, match="wrong user name or password"):
        accounts.sign_in("bob", "not the password", "10.0.0.1")
    with pytest.raises(LoginRefused):
        accounts.sign_in("nobody", PASSWORD, "10.0.0.1")
    signed = accounts.sign_in("bob", PASSWORD, "10.0.0.1")
    session = accounts.session(signed.session_secret)
    assert session is not None
    assert session[0].role == "viewer"
    assert session[1] == signed.csrf_token
    accounts.sign_out(signed.session_secret)
    assert accounts.session(signed.session_secret) is None


def test_sessions_expire_and_end_on_password_change(accounts: Accounts, clock: Clock) -> None:
    accounts.add_user("carol", "admin", PASSWORD)
    first = accounts.sign_in("carol", PASSWORD, "::1")
    clock.now += timedelta(hours=13)
    assert accounts.session(first.session_secret) is None
    second = accounts.sign_in("carol", PASSWORD, "::1")
    accounts.change_password("carol", "another long password")
    assert accounts.session(second.session_secret) is None
    accounts.sign_in("carol", "another long password", "::1")


def test_failed_sign_ins_are_throttled_per_user_name(accounts: Accounts, clock: Clock) -> None:
    accounts.add_user("dave", "viewer", PASSWORD)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.sign_in("dave", "guess guess guess", "10.0.0.2")
    with pytest.raises(LoginThrottled, match="wait 15 minutes"):
        accounts.sign_in("dave", PASSWORD, "10.0.0.2")  # even the right password
    clock.now += timedelta(minutes=16)
    accounts.sign_in("dave", PASSWORD, "10.0.0.2")


def test_bad_names_roles_passwords_and_duplicates_are_refused_in_words(
    accounts: Accounts,
) -> None:
    with pytest.raises(AccountError, match="not a valid user name"):
        accounts.add_user("<script>", "admin", PASSWORD)
    with pytest.raises(AccountError, match="not a role"):
        accounts.add_user("erin", "root", PASSWORD)
    with pytest.raises(AccountError, match="too short"):
        accounts.add_user("erin", "admin", "short")
    accounts.add_user("erin", "admin", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user("erin", "viewer", PASSWORD)
    accounts.remove_user("erin")
    with pytest.raises(AccountError, match="no user called"):
        accounts.remove_user("erin")
