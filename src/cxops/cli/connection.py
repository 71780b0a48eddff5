"""The connection options every vendor command shares, resolved into ``ConnectionSettings``.

A command opts in with one decorator and receives the resolved settings::

    @connection_options
    def export(project: str = typer.Option(...), *, connection: ConnectionSettings) -> None:
        ...  # connection.vendor, connection.base_url, ... (secrets are SecretStr)

The decorator adds ``--vendor --base-url --auth-url --client-id --client-secret --api-key
--access-key-id --access-key-secret --tenant-id --odata-url --odata-key --profile`` (in a
"Connection" help panel) and
resolves them with :func:`cxops.transport.settings.resolve_connection`: flag, then profile, then
``CXOPS_*`` variable, then ``.env``, then the seeds' variable names. A missing or bad setting is a
:class:`ConfigError` (exit 2). Commands that build settings some other way call
:func:`connection_settings` directly.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from cxops.transport.settings import ENV_VARS, FIELDS, ConnectionSettings, resolve_connection

__all__ = ["connection_options", "connection_settings"]

F = TypeVar("F", bound=Callable[..., Any])
PANEL = "Connection"
_PREFIX = "conn_"

_HELP = {
    "vendor": "cognigy, cxone or genesys.",
    "base_url": "The tenant's API base URL (CXone: discovered from --tenant-id when absent).",
    "auth_url": "The token host when it differs from --base-url (Genesys login, CXone auth).",
    "client_id": "OAuth2 client id (CXone: the application's client id).",
    "client_secret": "OAuth2 client secret. Prefer the environment variable to the flag.",
    "api_key": "Cognigy API key (X-API-Key), instead of client credentials.",
    "access_key_id": "CXone access key id.",
    "access_key_secret": "CXone access key secret. Prefer the environment variable.",
    "tenant_id": "CXone tenant id, used to discover the API host.",
    "odata_url": "Cognigy OData analytics endpoint (sessions gate), e.g. https://odata-x.cognigy.ai.",
    "odata_key": "API key for --odata-url (apikey parameter). Prefer the environment variable.",
    "timeout": "Seconds one vendor call may take, retries included (default 300).",
    "max_answer_bytes": "Refuse a vendor answer larger than this many bytes (default 256 MiB).",
}


def _option(name: str) -> Any:
    flag = "--" + name.replace("_", "-")
    return typer.Option(
        None,
        flag,
        help=f"{_HELP[name]} (env {ENV_VARS[name]})",
        show_default=False,
        rich_help_panel=PANEL,
    )


def connection_settings(
    profile: str | None = None, scopes: tuple[str, ...] = (), **flags: str | None
) -> ConnectionSettings:
    """Settings from parsed option values (field names as keywords, ``None`` when absent).

    >>> connection_settings(vendor="genesys", base_url="https://api.x").vendor   # doctest: +SKIP
    'genesys'
    """
    return resolve_connection(flags, profile=profile, scopes=scopes)


def connection_options(func: F) -> F:
    """Add the connection options to a Typer command and pass ``connection=`` resolved."""
    signature = inspect.signature(func, eval_str=True)
    if "connection" not in signature.parameters:
        raise TypeError(f"{func.__name__} needs a keyword parameter 'connection'")
    kept = [p for p in signature.parameters.values() if p.name != "connection"]
    added = [
        inspect.Parameter(
            _PREFIX + name,
            inspect.Parameter.KEYWORD_ONLY,
            default=_option(name),
            annotation=str | None,
        )
        for name in FIELDS
    ]
    added.append(
        inspect.Parameter(
            _PREFIX + "profile",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(
                None,
                "--profile",
                help="Use the profiles.NAME table of cxops.toml. (env CXOPS_PROFILE)",
                show_default=False,
                rich_help_panel=PANEL,
            ),
            annotation=str | None,
        )
    )

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        flags = {name: kwargs.pop(_PREFIX + name, None) for name in FIELDS}
        profile = kwargs.pop(_PREFIX + "profile", None)
        kwargs["connection"] = connection_settings(profile, **flags)
        return func(*args, **kwargs)

    params = sorted([*kept, *added], key=lambda p: p.kind)
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__annotations__["return"] = signature.return_annotation
    return wrapper  # type: ignore[return-value]
