"""The keys that encrypt tenants' credentials: where they come from, what a wrong one says."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from orderbridge.adapters.secret_keys import (
    KEY_ENV,
    KeyProblem,
    KeyRing,
    key_id,
    load_key_ring,
    new_key,
    read_key_file,
    write_key_file,
)


def test_a_value_round_trips_and_the_ciphertext_hides_it() -> None:
    ring = KeyRing((new_key(),), "test")
    token = ring.encrypt(b"hunter2-secret")
    assert "hunter2" not in token
    assert ring.decrypt(token, what="x") == b"hunter2-secret"


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    old, new = new_key(), new_key()
    made_with_old = KeyRing((old,), "test").encrypt(b"value")
    both = KeyRing((new, old), "test")
    assert both.decrypt(made_with_old, what="x") == b"value"
    rotated = both.rotate(made_with_old, what="x")
    assert KeyRing((new,), "test").decrypt(rotated, what="x") == b"value"
    with pytest.raises(KeyProblem):
        KeyRing((old,), "test").decrypt(rotated, what="x")
    assert both.current_id == key_id(new)


def test_a_wrong_key_names_the_value_and_the_keys_but_shows_neither_key() -> None:
    right, wrong = new_key(), new_key()
    token = KeyRing((right,), "test").encrypt(b"value")
    with pytest.raises(KeyProblem) as caught:
        KeyRing((wrong,), "the key file k").decrypt(
            token, what="credentials of tenant acme", stored_key_id=key_id(right)
        )
    message = str(caught.value)
    assert "credentials of tenant acme" in message
    assert key_id(right) in message
    assert key_id(wrong) in message
    assert right not in message
    assert wrong not in message
    assert KEY_ENV in message


def test_the_environment_wins_and_may_list_several_keys(tmp_path: Path) -> None:
    first, second = new_key(), new_key()
    ring = load_key_ring(tmp_path / "absent.key", {KEY_ENV: f" {first} , {second} "})
    assert ring.keys == (first, second)
    assert ring.source == KEY_ENV


def test_a_key_file_is_written_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "orderbridge.key"
    keys = (new_key(), new_key())
    write_key_file(path, keys)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path) == keys
    ring = load_key_ring(path, {})
    assert ring.keys == keys
    assert str(path) in ring.source


def test_a_key_file_others_can_read_is_refused_with_the_chmod_to_run(tmp_path: Path) -> None:
    path = tmp_path / "orderbridge.key"
    write_key_file(path, (new_key(),))
    path.chmod(0o640)
    with pytest.raises(KeyProblem, match=rf"chmod 600 {path}"):
        load_key_ring(path, {})


def test_no_key_at_all_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(KeyProblem, match="orderbridge keys create"):
        load_key_ring(tmp_path / "orderbridge.key", {})


@pytest.mark.parametrize("bad", ["not-a-key", "", "x" * 44])
def test_a_malformed_key_is_one_clear_line(bad: str, tmp_path: Path) -> None:
    with pytest.raises(KeyProblem, match=r"orderbridge keys create|holds no key"):
        load_key_ring(tmp_path / "k", {KEY_ENV: f"{new_key()},{bad}" if bad else " , "})
