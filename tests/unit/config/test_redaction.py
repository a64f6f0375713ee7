"""The one redaction module: secrets, their escaped forms, URLs with passwords, sensitive keys."""

from __future__ import annotations

from orderbridge.redaction import redact, redact_url


def test_redact_removes_plain_and_escaped_secret() -> None:
    assert redact("x a<b y a&lt;b z", ["a<b"]) == "x *** y *** z"
    assert redact("nothing", [""]) == "nothing"
    # a secret inside another is not left half masked
    assert redact("key=abc123 short=abc", ["abc", "abc123"]) == "key=*** short=***"


def test_redact_url_hides_only_the_password() -> None:
    url = "postgresql+psycopg://orderbridge:p%40ss@db.example:5432/orderbridge"
    assert redact_url(url) == "postgresql+psycopg://orderbridge:***@db.example:5432/orderbridge"
    assert redact_url("sqlite:///var/lib/orderbridge.db") == "sqlite:///var/lib/orderbridge.db"
    assert redact_url("postgresql://user@db/x") == "postgresql://user@db/x"
