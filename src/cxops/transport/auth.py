"""Authentication as ``httpx.Auth`` classes: API key, OAuth2 tokens with single-flight refresh.

- :class:`ApiKeyAuth`: Cognigy ``X-API-Key``.
- :class:`ClientCredentialsAuth`: RFC 6749 §4.4 client credentials with Basic client
  authentication (§2.3.1): Cognigy ``POST {base}/auth/oauth2/token``, Genesys
  ``POST {login}/oauth/token``.
- :class:`AccessKeyAuth`: CXone ``POST {auth}/auth/token`` with the password grant carrying the
  access key, and Basic ``clientId:clientSecret``.

Token handling (:class:`TokenAuth`): one token per auth object, refreshed by exactly one task
while the others wait on an ``asyncio.Lock`` (double-checked, so 200 concurrent callers on an
expired token cost one token request). Expiry counts from the *local* receipt time minus a
leeway, never from the vendor's clock. A 401 re-fetches once (unless someone already did) and
replays the request once. Every secret, the Basic form and each token are registered for
redaction before they can reach a log line.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from cxops.errors import AuthError, ProtocolError
from cxops.logs import register_secret
from cxops.transport.retry import RETRY_STATUSES, RetryableResponse
from cxops.transport.vendor_errors import error_from_response, json_body

__all__ = ["AccessKeyAuth", "ApiKeyAuth", "ClientCredentialsAuth", "TokenAuth", "basic"]


def basic(user: str, password: str) -> str:
    """The ``Authorization`` value for RFC 7617 Basic, registered as a secret."""
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    register_secret(encoded)
    return f"Basic {encoded}"


class ApiKeyAuth(httpx.Auth):
    """Cognigy's ``X-API-Key`` header on every request."""

    def __init__(self, api_key: str) -> None:
        register_secret(api_key)
        self._key = api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-API-Key"] = self._key
        yield request

    def __repr__(self) -> str:
        return "ApiKeyAuth(***)"


class TokenAuth(httpx.Auth):
    """Bearer tokens fetched by :meth:`token_request`, shared and refreshed single-flight.

    ``clock`` is injectable (tests only) so expiry can be proven without waiting.
    """

    def __init__(
        self,
        vendor: str,
        *,
        leeway: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.vendor = vendor
        self.leeway = leeway
        self.clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0  # token responses received, for tests and metrics

    def token_request(self) -> httpx.Request:
        """The request that mints a token (subclasses build it)."""
        raise NotImplementedError

    def _fresh(self) -> bool:
        return self._token is not None and self.clock() < self._expires

    async def _accept(self, response: httpx.Response) -> None:
        # Overriding async_auth_flow bypasses httpx's own requires_response_body handling.
        await response.aread()
        received = self.clock()
        if response.status_code in RETRY_STATUSES or response.status_code >= 500:
            raise RetryableResponse(response, never_sent=True)
        if response.status_code >= 400:
            err = error_from_response(self.vendor, response)
            raise AuthError(
                f"{self.vendor}: token request refused: {err.message}",
                status=err.status,
                vendor=self.vendor,
                vendor_code=err.vendor_code,
                trace_id=err.trace_id,
                method=err.method,
                url=err.url,
                hint="check the client id and secret (or access key) for this tenant and region",
            )
        data = json_body(self.vendor, response, dict)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ProtocolError(f"{self.vendor}: token response has no access_token")
        register_secret(token)
        try:
            lifetime = float(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        # A short-lived token must stay usable: never spend more than a fifth of it on leeway.
        self._expires = received + lifetime - min(self.leeway, lifetime * 0.2)
        self._token = token
        self.fetches += 1

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # The lock is held across the token request's yield; httpx closes this generator on
        # any failure, which releases it (``async with``), so a failed refresh cannot wedge it.
        if not self._fresh():
            async with self._lock:
                if not self._fresh():  # double-checked: someone may have refreshed meanwhile
                    await self._accept((yield self.token_request()))
        used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        await response.aread()
        if response.status_code != 401:
            return
        async with self._lock:
            if self._token == used:  # nobody refreshed since our token was rejected
                await self._accept((yield self.token_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("cxops token auth is async-only; use httpx.AsyncClient")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(vendor={self.vendor!r}, token=***)"


class ClientCredentialsAuth(TokenAuth):
    """OAuth2 client credentials with Basic client authentication (Cognigy, Genesys)."""

    def __init__(
        self,
        vendor: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: tuple[str, ...] = (),
        *,
        in_form: bool = False,
        **kw: float | Callable[[], float],
    ) -> None:
        super().__init__(vendor, **kw)  # type: ignore[arg-type]
        register_secret(client_secret)
        self.token_url = token_url
        self._basic = basic(client_id, client_secret)
        # Cognigy: client_id/client_secret as form fields, as its official client's
        # OAuth2Authentication sends them (RFC 6749 §2.3.1 allows either).
        self._form = {"client_id": client_id, "client_secret": client_secret} if in_form else {}
        self.scopes = scopes

    def token_request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials", **self._form}
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        headers = {"Accept": "application/json"}
        if not self._form:
            headers["Authorization"] = self._basic
        return httpx.Request("POST", self.token_url, data=form, headers=headers)


class AccessKeyAuth(TokenAuth):
    """CXone: ``grant_type=password`` with the access key, Basic ``clientId:clientSecret``."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        access_key_id: str,
        access_key_secret: str,
        **kw: float | Callable[[], float],
    ) -> None:
        super().__init__("cxone", **kw)  # type: ignore[arg-type]
        register_secret(client_secret)
        register_secret(access_key_secret)
        self.token_url = token_url
        self._basic = basic(client_id, client_secret)
        self._form = {
            "grant_type": "password",
            "username": access_key_id,
            "password": access_key_secret,
        }

    def token_request(self) -> httpx.Request:
        return httpx.Request(
            "POST",
            self.token_url,
            data=self._form,
            headers={"Authorization": self._basic, "Accept": "application/json"},
        )
