"""Credentials the fixture tenants accept, and the bearer tokens issued for them.

Tokens expire on the emulator clock (``token_ttl``), so a test can expire every token at once by
advancing the clock. Scopes are checked by handlers with :meth:`Principal.allows`; what a
missing scope looks like on the wire is each vendor's business (see ``problems``).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from cxops.emulator.clock import Clock


@dataclass(frozen=True)
class Credential:
    """One client registered on one tenant. Unused fields are ``None`` for that vendor."""

    vendor: str
    tenant: str
    name: str  # "admin", "readonly", ...
    client_id: str
    client_secret: str
    scopes: frozenset[str]
    api_key: str | None = None  # Cognigy X-API-Key
    access_key_id: str | None = None  # CXone access key
    access_key_secret: str | None = None


@dataclass
class Principal:
    """Who is calling: the credential behind a token or an API key."""

    credential: Credential
    token: str | None = None
    expires: float | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def client(self) -> str:
        return self.credential.client_id

    def allows(self, scope: str) -> bool:
        """True when ``scope`` (or a wildcard ``prefix:*``, or ``*``) was granted."""
        if "*" in self.scopes or scope in self.scopes:
            return True
        parts = scope.split(":")
        return any(":".join([*parts[:i], "*"]) in self.scopes for i in range(1, len(parts)))


class TokenStore:
    """Registered credentials and live tokens for every vendor and tenant."""

    def __init__(self, clock: Clock, ttl: float) -> None:
        self.clock = clock
        self.ttl = ttl
        self._lock = threading.Lock()
        self.credentials: list[Credential] = []
        self._tokens: dict[str, Principal] = {}
        self.issued = 0  # how many tokens were minted, for single-flight tests

    def register(self, cred: Credential) -> None:
        self.credentials.append(cred)

    def find(self, vendor: str, tenant: str, **match: str | None) -> Credential | None:
        """The credential of ``vendor``/``tenant`` whose fields equal ``match``."""
        for cred in self.credentials:
            if (
                cred.vendor == vendor
                and cred.tenant == tenant
                and all(getattr(cred, k) == v for k, v in match.items())
            ):
                return cred
        return None

    def issue(
        self, cred: Credential, scopes: frozenset[str] | None = None, ttl: float | None = None
    ) -> Principal:
        """Mint a token; ``scopes`` narrows the grant to what was asked (never widens)."""
        granted = cred.scopes if not scopes else frozenset(s for s in scopes if s in cred.scopes)
        principal = Principal(
            cred,
            secrets.token_urlsafe(32),
            self.clock.now() + (self.ttl if ttl is None else ttl),
            granted,
        )
        with self._lock:
            self._tokens[principal.token or ""] = principal
            self.issued += 1
        return principal

    def check(self, vendor: str, tenant: str, token: str) -> tuple[Principal | None, str]:
        """``(principal, "")`` for a live token of this tenant, else ``(None, why)``."""
        with self._lock:
            principal = self._tokens.get(token)
        if principal is None:
            return None, "invalid token"
        cred = principal.credential
        if cred.vendor != vendor or cred.tenant != tenant:
            return None, "token issued for another tenant"
        if principal.expires is not None and self.clock.now() >= principal.expires:
            return None, "token expired"
        return principal, ""

    def revoke_all(self) -> None:
        with self._lock:
            self._tokens.clear()
