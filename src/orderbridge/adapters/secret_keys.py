"""The keys that encrypt credentials kept in the store (Fernet, from the ``cryptography`` library).

Keys come from ``ORDERBRIDGE_SECRET_KEY`` (one key, or several separated by commas) or else from
a key file (one key a line); the first key is the current one and encrypts, every key decrypts,
so a rotation can list the new key first and the old one after it until every secret has been
re-encrypted. A key file readable by its group or by others is refused (ADR 49).

A key id is the first 8 hex digits of the key's SHA-256: stored beside each ciphertext, it names
the key a value was encrypted with without revealing it.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = [
    "KEY_ENV",
    "KeyProblem",
    "KeyRing",
    "key_id",
    "load_key_ring",
    "new_key",
    "read_key_file",
    "write_key_file",
]

KEY_ENV = "ORDERBRIDGE_SECRET_KEY"


class KeyProblem(Exception):
    """No usable key, a key file others can read, or a value no configured key decrypts.

    The message is one line a person can act on and never contains a key or a secret.
    """


def key_id(key: str) -> str:
    """A short, non-secret name for ``key``."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:8]


def new_key() -> str:
    """A fresh random key (urlsafe base64 text, 44 characters)."""
    return Fernet.generate_key().decode()


@dataclass(frozen=True)
class KeyRing:
    """The configured keys: the first encrypts, all decrypt; ``source`` says where they are."""

    keys: tuple[str, ...]
    source: str

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyProblem(f"{self.source} holds no key")
        for position, key in enumerate(self.keys, start=1):
            try:
                Fernet(key.encode())
            except (ValueError, TypeError):
                raise KeyProblem(
                    f"key {position} in {self.source} is not a key orderbridge can use "
                    "(44 characters of urlsafe base64); make one with orderbridge keys create"
                ) from None

    @property
    def current_id(self) -> str:
        """The id of the key new values are encrypted with."""
        return key_id(self.keys[0])

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of every configured key, current first."""
        return tuple(key_id(k) for k in self.keys)

    def _fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(k.encode()) for k in self.keys])

    def encrypt(self, plain: bytes) -> str:
        """``plain`` encrypted under the current key (text safe to store)."""
        return self._fernet().encrypt(plain).decode()

    def decrypt(self, token: str, *, what: str, stored_key_id: str = "") -> bytes:
        """The plain value of ``token``; ``KeyProblem`` naming ``what`` when no key fits."""
        try:
            return self._fernet().decrypt(token.encode())
        except InvalidToken:
            made_with = f" (encrypted with key {stored_key_id})" if stored_key_id else ""
            raise KeyProblem(
                f"the {what}{made_with} cannot be decrypted with the key(s) from {self.source} "
                f"({', '.join(self.ids)}); give orderbridge the key they were encrypted with "
                f"({KEY_ENV} or [store] secret_key_file), listed after the new one while rotating"
            ) from None

    def rotate(self, token: str, *, what: str, stored_key_id: str = "") -> str:
        """``token`` re-encrypted under the current key."""
        self.decrypt(token, what=what, stored_key_id=stored_key_id)  # a clear error first
        return self._fernet().rotate(token.encode()).decode()


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(",", "\n").splitlines() if part.strip())


def read_key_file(path: Path) -> tuple[str, ...]:
    """The keys in ``path``, refusing a file its group or others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyProblem(
            f"no secret key: {KEY_ENV} is not set and the key file {path} does not exist; "
            "run orderbridge keys create (or set [store] secret_key_file)"
        ) from None
    except OSError as exc:
        raise KeyProblem(f"the key file {path} cannot be read: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyProblem(f"the key file {path} can be read by other users; run: chmod 600 {path}")
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not a key file"
        raise KeyProblem(f"the key file {path} cannot be read: {reason}") from None
    return _split(text)


def load_key_ring(key_file: Path, environ: dict[str, str] | None = None) -> KeyRing:
    """The keys from ``ORDERBRIDGE_SECRET_KEY`` if set, else from ``key_file``."""
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV, "")
    if value.strip():
        return KeyRing(_split(value), KEY_ENV)
    return KeyRing(read_key_file(key_file), f"the key file {key_file}")


def write_key_file(path: Path, keys: tuple[str, ...]) -> None:
    """Write ``keys`` (current first) to ``path`` atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write("".join(f"{key}\n" for key in keys))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
