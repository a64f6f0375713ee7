"""Single sign-on through OpenID Connect against a real provider over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from pydantic import SecretStr

from orderbridge.adapters.store import SqlStore
from orderbridge.settings import OidcSettings, Settings, WebSettings
from orderbridge.web import DashboardServer, WebServices, create_app

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    with DashboardServer(fake.app()) as server:
        fake.issuer = server.url
        yield fake


def _dashboard(store: SqlStore, provider: FakeProvider, secret: str = CLIENT_SECRET) -> WebServices:
    oidc = OidcSettings.model_validate(
        {
            "issuer": provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": SecretStr(secret),
            "admin_groups": ["0f1e-admins"],
            "viewer_domains": ["@Contoso.example"],
            "button_label": "Sign in with Microsoft",
        }
    )
    return WebServices.build(Settings(web=WebSettings(oidc=oidc)), store)


def _sign_in(client: httpx2.Client, next_path: str = "/") -> httpx2.Response:
    """The browser's round trip: dashboard, provider, back to the dashboard's callback."""
    start = client.get("/login/oidc", params={"next": next_path})
    assert start.status_code == 303
    at_provider = httpx2.get(start.headers["location"])  # the browser visits the provider
    assert at_provider.status_code == 302
    return client.get(at_provider.headers["location"])  # and comes back with the code


def test_group_members_sign_in_as_admins(store: SqlStore, provider: FakeProvider) -> None:
    provider.next_claims = {"preferred_username": "ada@fabrikam.example", "groups": ["0f1e-admins"]}
    with DashboardServer(create_app(_dashboard(store, provider))) as server:
        assert "Sign in with Microsoft" in httpx2.get(f"{server.url}/login").text
        with httpx2.Client(base_url=server.url) as client:
            back = _sign_in(client, "/orders")
            assert back.status_code == 303
            assert back.headers["location"] == "/orders"
            page = client.get("/settings")
            assert "ada@fabrikam.example (admin)" in page.text
    user = store.accounts().user("ada@fabrikam.example")
    assert user is not None
    assert user.role == "admin"
    assert user.password_hash == "!sso"  # no password login for SSO users


def test_an_email_domain_gives_the_viewer_role_and_strangers_get_none(
    store: SqlStore, provider: FakeProvider
) -> None:
    with DashboardServer(create_app(_dashboard(store, provider))) as server:
        provider.next_claims = {"email": "vic@contoso.example"}
        with httpx2.Client(base_url=server.url) as client:
            assert _sign_in(client).status_code == 303
            assert "vic@contoso.example (viewer)" in client.get("/").text
        provider.next_claims = {"email": "eve@elsewhere.example", "groups": ["other"]}
        with httpx2.Client(base_url=server.url) as client:
            back = _sign_in(client)
            assert back.status_code == 403
            assert "no group or e-mail domain" in back.text
            assert client.get("/").status_code == 303


def test_a_forged_state_or_a_wrong_client_secret_signs_nobody_in(
    store: SqlStore, provider: FakeProvider
) -> None:
    provider.next_claims = {"email": "vic@contoso.example"}
    with (
        DashboardServer(create_app(_dashboard(store, provider))) as server,
        httpx2.Client(base_url=server.url) as client,
    ):
        forged = client.get("/login/oidc/callback", params={"code": "x", "state": "forged"})
        assert forged.status_code == 403
        assert "did not start here" in forged.text
    with (
        DashboardServer(create_app(_dashboard(store, provider, "wrong-secret"))) as server,
        httpx2.Client(base_url=server.url) as client,
    ):
        back = _sign_in(client)
        assert back.status_code == 502
        assert "refused the sign-in code" in back.text
        assert "wrong-secret" not in back.text
    assert provider.token_requests == 1


def test_an_id_token_signed_with_another_key_is_refused(
    store: SqlStore, provider: FakeProvider
) -> None:
    provider.next_claims = {"email": "ada@contoso.example", "groups": ["0f1e-admins"]}
    provider.forge = True
    with (
        DashboardServer(create_app(_dashboard(store, provider))) as server,
        httpx2.Client(base_url=server.url) as client,
    ):
        back = _sign_in(client)
        assert back.status_code == 502
        assert "the ID token is not valid: Signature verification failed" in back.text
        assert client.get("/").status_code == 303
    assert store.accounts().user("ada@contoso.example") is None
