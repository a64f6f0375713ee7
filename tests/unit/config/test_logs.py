"""Logging: JSON lines off a terminal, configured level, secrets masked wherever they appear."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from orderbridge.logs import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_stdlib_records_become_json_lines_with_secrets_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="info", fmt="json", secrets=["hunter2-secret", "abc"])
    logging.getLogger("orderbridge.adapters.x").warning("login with %s failed", "hunter2-secret")
    logging.getLogger("orderbridge.adapters.x").debug("not shown at INFO")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(lines) == 1
    assert lines[0]["event"] == "login with *** failed"
    assert lines[0]["level"] == "warning"
    assert lines[0]["logger"] == "orderbridge.adapters.x"


def test_structlog_events_mask_sensitive_keys_and_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="DEBUG", fmt="json", secrets=["S3CR3T-VALUE"])
    structlog.get_logger("orderbridge.test").info(
        "calling", password="pw-in-a-key", note="contains S3CR3T-VALUE inside", po="PO-1"
    )
    output = capsys.readouterr().err
    assert "S3CR3T-VALUE" not in output
    assert "pw-in-a-key" not in output
    event = json.loads(output.strip())
    assert event["password"] == "***"
    assert event["note"] == "contains *** inside"
    assert event["po"] == "PO-1"
