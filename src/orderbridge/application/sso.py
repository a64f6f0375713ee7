"""Single sign-on: who an identity provider says someone is, and which role that earns.

The OpenID Connect exchange itself (discovery, code, token signature) is the adapter's job
(``adapters/oidc.py``); here are the rules that turn verified claims into a dashboard role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .accounts import ADMIN, VIEWER

__all__ = ["RoleRules", "SsoIdentity", "identity_from_claims"]


@dataclass(frozen=True, slots=True)
class RoleRules:
    """Groups and e-mail domains that earn each role (admin rules are checked first)."""

    admin_groups: Sequence[str] = ()
    viewer_groups: Sequence[str] = ()
    admin_domains: Sequence[str] = ()
    viewer_domains: Sequence[str] = ()
    groups_claim: str = "groups"

    def role_for(self, groups: Sequence[str], email: str | None) -> str | None:
        """``admin``, ``viewer``, or None when no rule matches."""
        domain = email.rsplit("@", 1)[1].lower() if email and "@" in email else None
        if set(groups) & set(self.admin_groups) or (domain and domain in self.admin_domains):
            return ADMIN
        if set(groups) & set(self.viewer_groups) or (domain and domain in self.viewer_domains):
            return VIEWER
        return None


@dataclass(frozen=True, slots=True)
class SsoIdentity:
    """A verified person: the name they sign in under, and their role (None: no access)."""

    username: str
    email: str | None
    role: str | None


def identity_from_claims(claims: Mapping[str, Any], rules: RoleRules) -> SsoIdentity:
    """The identity in verified ID-token claims (Entra ID puts the UPN in preferred_username)."""
    email = next(
        (
            claims[key]
            for key in ("email", "preferred_username", "upn")
            if isinstance(claims.get(key), str) and "@" in claims[key]
        ),
        None,
    )
    raw_groups = claims.get(rules.groups_claim) or []
    groups = [str(g) for g in raw_groups] if isinstance(raw_groups, list) else []
    username = (email or f"sso-{claims.get('sub', '')}")[:64]
    return SsoIdentity(username=username, email=email, role=rules.role_for(groups, email))
