"""Error mapping keeps Autotask's words; credentials never show the secret."""

from __future__ import annotations

import json

import pytest

from orderbridge.adapters.autotask import (
    AuthFailed,
    AutotaskCredentials,
    AutotaskError,
    BadPayload,
    NotFoundError,
    PermissionDenied,
    RateLimited,
    ThreadLimited,
    Unavailable,
    ValidationFailed,
)
from orderbridge.adapters.autotask._errors import classify_response


def _errors(*messages: str) -> bytes:
    return json.dumps({"errors": list(messages)}).encode()


def _classify(status: int, body: bytes, retry_after: str | None = None) -> AutotaskError:
    return classify_response(status, body, endpoint="PurchaseOrders", retry_after=retry_after)


def test_wrong_secret_401_is_auth_failed_pointing_at_the_secret() -> None:
    err = _classify(401, _errors("Unauthorized"))
    assert type(err) is AuthFailed
    assert "Unauthorized" in str(err)
    assert "secret" in str(err)
    assert err.status == 401


def test_unknown_zone_500_is_auth_failed_pointing_at_the_username() -> None:
    err = _classify(500, _errors("Zone information could not be determined"))
    assert type(err) is AuthFailed
    assert "Zone information could not be determined" in str(err)
    assert "username" in str(err)


def test_bad_integration_code_500_is_auth_failed_pointing_at_the_code() -> None:
    err = _classify(500, _errors("The API Integration Code is invalid."))
    assert type(err) is AuthFailed
    assert "integration code" in str(err).lower()


def test_permission_text_500_is_permission_denied() -> None:
    text = "The logged in Resource does not have the adequate permissions to update this entity."
    err = _classify(500, _errors(text))
    assert isinstance(err, PermissionDenied)
    assert isinstance(err, AuthFailed)
    assert text in str(err)


def test_business_rule_500_is_validation_failed_with_all_server_messages() -> None:
    err = _classify(500, json.dumps({"errors": ["first", "second"], "errorId": 5}).encode())
    assert type(err) is ValidationFailed
    assert "first; second" in str(err)
    assert err.errors == ("first", "second")


def test_405_message_body_keeps_the_server_words() -> None:
    body = json.dumps({"Message": "The requested resource does not support http method 'GET'."})
    err = _classify(405, body.encode())
    assert isinstance(err, ValidationFailed)
    assert "does not support http method 'GET'" in str(err)


def test_thread_limit_text_is_thread_limited_whatever_the_status() -> None:
    text = "Thread Threshold Exceeded (Itgenatr005): the thread threshold of 3 has been exceeded"
    limited = _classify(429, _errors(text), retry_after="7")
    assert isinstance(limited, ThreadLimited)
    assert limited.retry_after == 7.0
    assert isinstance(_classify(500, _errors(text)), ThreadLimited)


def test_other_429_is_rate_limited() -> None:
    err = _classify(429, _errors("Request threshold exceeded"))
    assert type(err) is RateLimited
    assert isinstance(err, RateLimited)
    assert err.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_without_autotask_errors_is_unavailable(status: int) -> None:
    err = _classify(status, b"<html><body>Service Unavailable</body></html>")
    assert isinstance(err, Unavailable)


def test_404_is_not_found() -> None:
    assert isinstance(_classify(404, b'{"Message": "No HTTP resource"}'), NotFoundError)


def test_credentials_hide_the_secret_and_accept_plain_text() -> None:
    creds = AutotaskCredentials(
        username="api@example.com", secret="s3cr3t-value", integration_code="CODE"
    )
    assert "s3cr3t-value" not in repr(creds)
    assert "s3cr3t-value" not in str(creds)
    assert creds.headers() == {
        "ApiIntegrationCode": "CODE",
        "UserName": "api@example.com",
        "Secret": "s3cr3t-value",
    }
    with pytest.raises(ValueError, match="blank"):
        AutotaskCredentials(username=" ", secret="x", integration_code="CODE")


def test_errors_are_the_application_facing_upstream_errors() -> None:
    from orderbridge.ports import (
        UpstreamAuthError,
        UpstreamBadPayload,
        UpstreamError,
        UpstreamRateLimited,
        UpstreamUnavailable,
    )

    thread = _classify(429, _errors("Itgenatr005"), retry_after="2")
    assert isinstance(thread, UpstreamRateLimited)
    assert thread.retry_after == 2.0
    assert isinstance(_classify(401, b""), UpstreamAuthError)
    assert isinstance(_classify(502, b""), UpstreamUnavailable)
    assert isinstance(_classify(500, _errors("bad")), UpstreamError)
    assert isinstance(BadPayload("x"), UpstreamBadPayload)
    assert _classify(500, _errors("bad")).service == "autotask"


def test_a_thread_limit_error_names_its_limit_when_autotask_does() -> None:
    named = classify_response(
        429,
        b'{"errors": ["The Autotask API thread threshold of 2 threads has been exceeded"]}',
        endpoint="PurchaseOrders",
    )
    assert isinstance(named, ThreadLimited)
    assert named.limit == 2
    bare = classify_response(429, b'{"errors": ["Itgenatr005"]}', endpoint="PurchaseOrders")
    assert isinstance(bare, ThreadLimited)
    assert bare.limit is None
