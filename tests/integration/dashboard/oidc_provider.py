"""A small but real OpenID Connect provider over HTTP, for the single sign-on tests.

It publishes a discovery document and its signing key, "authenticates" whoever the test says
is at the keyboard (``next_claims``) by redirecting straight back with a code, and exchanges that
code for an RS256-signed ID token only with the right client secret and PKCE verifier.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "orderbridge-dashboard"
CLIENT_SECRET = "provider-secret-value-123"


@dataclass
class FakeProvider:
    """The provider's state: its key, pending codes, and who signs in next."""

    issuer: str = ""
    next_claims: dict[str, Any] = field(default_factory=dict)
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: int = 0
    # Sign ID tokens with a key that is not the published one (a forged token).
    forge: bool = False

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    async def discovery(self, _: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }
        )

    async def jwks(self, _: Request) -> Response:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return JSONResponse({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "nonce": q["nonce"],
            "challenge": q["code_challenge"],
            "redirect_uri": q["redirect_uri"],
        }
        return RedirectResponse(
            f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}",
            status_code=302,
        )

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        pending = self.codes.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier", ""))
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if (
            pending is None
            or form.get("client_secret") != CLIENT_SECRET
            or challenge != pending["challenge"]
            or form.get("redirect_uri") != pending["redirect_uri"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "user-1",
            "iat": now,
            "exp": now + 300,
            "nonce": pending["nonce"],
            **self.next_claims,
        }
        signer = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if self.forge
            else self.key
        )
        token = jwt.encode(claims, signer, algorithm="RS256", headers={"kid": "k1"})
        return JSONResponse({"id_token": token, "token_type": "Bearer"})
