"""OpenID Connect sign-in (authorization code flow with PKCE) against any compliant provider.

Microsoft Entra ID is the usual one: issuer ``https://login.microsoftonline.com/TENANT/v2.0``.
The client reads the provider's discovery document, sends the browser to its authorization
endpoint, exchanges the returned code for an ID token and verifies that token's signature
(against the provider's published keys), issuer, audience, expiry and nonce. Every failure is an
``OidcError`` whose message says what went wrong without quoting the client secret.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx2
import jwt

from orderbridge.ports import OidcLogin, SingleSignOnError

__all__ = ["OidcClient", "OidcError", "OidcLogin"]

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class OidcError(SingleSignOnError):
    """Single sign-on failed; the message says where."""


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    """One provider and one registered client (the dashboard); a ``SingleSignOn``."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        scopes: list[str],
        timeout_s: float = 15.0,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._client_id = client_id
        self._secret = client_secret
        self._scopes = scopes
        self._timeout = timeout_s
        self._transport = transport
        self._discovery: dict[str, Any] | None = None

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            async with httpx2.AsyncClient(timeout=self._timeout, transport=self._transport) as c:
                answer = await c.get(url)
        except httpx2.HTTPError as exc:
            raise OidcError(f"cannot reach the identity provider for {what}: {exc}") from None
        if answer.status_code != 200:
            raise OidcError(f"the identity provider answered {answer.status_code} for {what}")
        try:
            data = answer.json()
        except ValueError:
            raise OidcError(f"the identity provider's {what} is not JSON") from None
        if not isinstance(data, dict):
            raise OidcError(f"the identity provider's {what} is not a JSON object")
        return data

    async def discovery(self) -> dict[str, Any]:
        """The provider's configuration (fetched once), checked against the configured issuer."""
        if self._discovery is None:
            found = await self._get_json(
                f"{self._issuer}/.well-known/openid-configuration", "discovery document"
            )
            if str(found.get("issuer", "")).rstrip("/") != self._issuer:
                raise OidcError(
                    f"the discovery document names issuer {found.get('issuer')!r}, "
                    f"not the configured {self._issuer!r}"
                )
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(found.get(key), str):
                    raise OidcError(f"the discovery document has no {key}")
            self._discovery = found
        return self._discovery

    async def authorization_url(self, redirect_uri: str) -> tuple[str, OidcLogin]:
        """Where to send the browser, and what to keep until it comes back."""
        found = await self.discovery()
        login = OidcLogin(
            secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self._scopes),
                "state": login.state,
                "nonce": login.nonce,
                "code_challenge": _challenge(login.verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{found['authorization_endpoint']}?{query}", login

    async def claims(self, code: str, login: OidcLogin, redirect_uri: str) -> dict[str, Any]:
        """Exchange the code and return the ID token's verified claims."""
        found = await self.discovery()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self._client_id,
            "client_secret": self._secret,
            "code_verifier": login.verifier,
        }
        try:
            async with httpx2.AsyncClient(timeout=self._timeout, transport=self._transport) as c:
                answer = await c.post(found["token_endpoint"], data=form)
        except httpx2.HTTPError as exc:
            raise OidcError(f"cannot reach the identity provider's token endpoint: {exc}") from None
        if answer.status_code != 200:
            raise OidcError(
                f"the identity provider refused the sign-in code ({answer.status_code}); "
                "check [web.oidc] client_id and client_secret"
            )
        id_token = answer.json().get("id_token") if answer.content else None
        if not isinstance(id_token, str):
            raise OidcError("the identity provider returned no ID token")
        return await self._verified(id_token, login.nonce, str(found["issuer"]))

    async def _verified(self, id_token: str, nonce: str, issuer: str) -> dict[str, Any]:
        keys = await self._get_json(str((await self.discovery())["jwks_uri"]), "signing keys")
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            key_set = jwt.PyJWKSet.from_dict(keys)
            key = next((k for k in key_set.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise OidcError("the ID token is signed with a key the provider does not publish")
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key.key,
                algorithms=ALGORITHMS,
                audience=self._client_id,
                issuer=issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise OidcError(f"the ID token is not valid: {exc}") from None
        if claims.get("nonce") != nonce:
            raise OidcError("the ID token's nonce does not match this sign-in")
        return claims
