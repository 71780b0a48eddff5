"""Building clients: the ``httpx.AsyncClient`` factory and the vendor client on top of it.

>>> async def main() -> None:                                   # doctest: +SKIP
...     settings = resolve_connection({"vendor": "genesys", "base_url": "https://api.x",
...                                    "client_id": "id", "client_secret": "secret"})
...     async with open_client(settings) as client:
...         flows = await client.get_json("/api/v2/flows", params={"pageSize": 100})
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from cxops._version import __version__
from cxops.errors import ConfigError, ProtocolError
from cxops.transport.auth import AccessKeyAuth, ApiKeyAuth, ClientCredentialsAuth
from cxops.transport.client import VendorClient
from cxops.transport.ratelimit import limiter_for
from cxops.transport.settings import ConnectionSettings, TransportOptions
from cxops.transport.urls import API_ROOTS

__all__ = ["USER_AGENT", "build_auth", "connect", "create_http_client", "open_client"]

USER_AGENT = f"cxops/{__version__}"


async def _stamp_request_id(request: httpx.Request) -> None:
    # Every request carries an id the vendor can log; calls set theirs, token requests get one.
    request.headers.setdefault("X-Request-ID", uuid.uuid4().hex)


def create_http_client(
    base_url: str,
    options: TransportOptions,
    *,
    auth: httpx.Auth | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with cxops' timeouts, pool limits, user agent and request ids."""
    return httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        transport=transport,
        timeout=httpx.Timeout(
            connect=options.connect_timeout,
            read=options.read_timeout,
            write=options.write_timeout,
            pool=options.pool_timeout,
        ),
        limits=httpx.Limits(
            max_connections=options.max_connections,
            max_keepalive_connections=options.max_connections,
        ),
        headers={"User-Agent": options.user_agent or USER_AGENT, "Accept": "application/json"},
        event_hooks={"request": [_stamp_request_id]},
        follow_redirects=False,
    )


def _genesys_login(base_url: str) -> str:
    # Genesys serves the API at api.<region> and tokens at login.<region> (VENDORS.md, auth row).
    return base_url.replace("://api.", "://login.", 1)


def build_auth(
    settings: ConnectionSettings,
    options: TransportOptions,
    clock: Callable[[], float] | None = None,
) -> httpx.Auth:
    """The ``httpx.Auth`` for these settings; ConfigError naming what is missing."""
    mode = settings.auth_mode()
    kw: dict[str, float | Callable[[], float]] = {"leeway": options.token_leeway}
    if clock is not None:
        kw["clock"] = clock
    if mode == "api_key":
        assert settings.api_key is not None
        return ApiKeyAuth(settings.api_key.get_secret_value())
    host = settings.token_host
    if not host:
        raise ConfigError(
            f"{settings.vendor}: no --auth-url or --base-url to fetch tokens from",
            hint="pass --base-url (and --auth-url when tokens come from another host)",
        )
    host = host.rstrip("/")
    assert settings.client_id is not None and settings.client_secret is not None
    secret = settings.client_secret.get_secret_value()
    if mode == "access_key":
        assert settings.access_key_id is not None and settings.access_key_secret is not None
        return AccessKeyAuth(
            f"{host}/auth/token",
            settings.client_id,
            secret,
            settings.access_key_id,
            settings.access_key_secret.get_secret_value(),
            **kw,
        )
    if settings.vendor == "genesys":
        token_url = f"{(settings.auth_url or _genesys_login(host)).rstrip('/')}/oauth/token"
    else:
        token_url = f"{host}/auth/oauth2/token"
    return ClientCredentialsAuth(
        settings.vendor,
        token_url,
        settings.client_id,
        secret,
        settings.scopes,
        in_form=settings.vendor == "cognigy",
        **kw,
    )


async def _discover_cxone(
    settings: ConnectionSettings,
    options: TransportOptions,
    transport: httpx.AsyncBaseTransport | None,
) -> str:
    """CXone's API host for the tenant, from ``/.well-known/cxone-configuration``."""
    if not settings.tenant_id:
        raise ConfigError(
            "cxone: give --base-url (the API host) or --tenant-id to discover it",
            hint="set CXOPS_TENANT_ID, or CXOPS_BASE_URL to the tenant's api_endpoint",
        )
    host = (settings.token_host or "").rstrip("/")
    http = create_http_client(host, options, transport=transport)
    limiter = limiter_for(f"cxone|{host}", options.rate, options.burst, options.concurrency)
    async with VendorClient("cxone", http, options, limiter) as probe:
        data = await probe.get_json(
            "/.well-known/cxone-configuration", params={"tenantId": settings.tenant_id}
        )
    endpoint = data.get("api_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        raise ProtocolError(
            f"cxone discovery for tenant {settings.tenant_id} gave no usable api_endpoint",
            hint="pass --base-url with the tenant's API host",
        )
    return endpoint.rstrip("/")


async def connect(
    settings: ConnectionSettings,
    options: TransportOptions | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] | None = None,
) -> VendorClient:
    """A ready :class:`VendorClient` for one tenant; close it with ``aclose()`` or ``async with``.

    CXone without ``--base-url`` discovers the API host first. ``transport`` lets tests and
    benchmarks run against an in-process ASGI app; ``clock`` is the token-expiry clock.
    """
    options = options or TransportOptions()
    if settings.timeout is not None:  # --timeout: the whole call, and no single wait longer
        t = settings.timeout
        options = options.model_copy(
            update={
                "deadline": t,
                "connect_timeout": min(options.connect_timeout, t),
                "read_timeout": min(options.read_timeout, t),
                "write_timeout": min(options.write_timeout, t),
                "pool_timeout": min(options.pool_timeout, t),
            }
        )
    if settings.max_answer_bytes is not None:
        options = options.model_copy(update={"max_answer_bytes": settings.max_answer_bytes})
    auth = build_auth(settings, options, clock)
    base = settings.base_url
    if base is None and settings.vendor == "cxone":
        base = await _discover_cxone(settings, options, transport)
    if not base:
        raise ConfigError(
            f"{settings.vendor}: no base URL",
            hint="pass --base-url or set CXOPS_BASE_URL (or use --profile)",
        )
    base = base.rstrip("/")
    http = create_http_client(base, options, auth=auth, transport=transport)
    limiter = limiter_for(
        f"{settings.vendor}|{base}", options.rate, options.burst, options.concurrency
    )
    base = http.base_url.path.rstrip("/")
    api_prefix = tuple(base + root for root in API_ROOTS[settings.vendor])
    return VendorClient(settings.vendor, http, options, limiter, api_prefix=api_prefix)


@asynccontextmanager
async def open_client(
    settings: ConnectionSettings,
    options: TransportOptions | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] | None = None,
) -> AsyncIterator[VendorClient]:
    """``async with open_client(settings) as client:`` — :func:`connect` plus closing."""
    client = await connect(settings, options, transport=transport, clock=clock)
    try:
        yield client
    finally:
        await client.aclose()


def connect_odata(
    settings: ConnectionSettings,
    options: TransportOptions | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[VendorClient, str] | None:
    """A client for the settings' Cognigy OData analytics endpoint and its key (sent as the
    ``apikey`` query parameter, Cognigy's documented way), or None without ``odata_url``.
    ConfigError when the URL is there without ``odata_key``."""
    if not settings.odata_url:
        return None
    if settings.odata_key is None:
        raise ConfigError(
            f"{settings.vendor}: odata_url is set but odata_key is not",
            hint='add odata_key = "env:NAME" to the profile (or set CXOPS_ODATA_KEY)',
        )
    options = options or TransportOptions()
    base = settings.odata_url.rstrip("/")
    http = create_http_client(base, options, transport=transport)
    limiter = limiter_for(f"odata|{base}", options.rate, options.burst, options.concurrency)
    return VendorClient(
        settings.vendor, http, options, limiter
    ), settings.odata_key.get_secret_value()
