"""Connection settings: which vendor, where, and with what credentials; and how to behave.

Every vendor command resolves one :class:`ConnectionSettings` with :func:`resolve_connection`.
Each field is taken from the first place that has it::

    1. the command-line flag            --base-url ...
    2. the named profile                --profile prod  (cxops.toml, see ``profiles``)
    3. the CXOPS_* environment variable CXOPS_BASE_URL
    4. the seeds' variable names        COGNIGY_BASE_URL, GENESYS_BASE_PATH, ...

A ``.env`` file in the working folder is read as extra environment that never overrides the real
one. An explicit ``--profile`` wins over ambient environment on purpose: a shell left pointing
at a dev tenant must not redirect ``--profile prod`` (a promotion) somewhere else.

Secrets are :class:`pydantic.SecretStr` (their repr is ``**********``) and are registered with
:func:`cxops.logs.register_secret` as soon as they are resolved, so no log line can show them.
:class:`TransportOptions` holds the tuning knobs (timeouts, retries, rate limits) with
conservative defaults; tests scale waits down through it instead of sleeping.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from cxops.errors import ConfigError
from cxops.logs import register_secret
from cxops.transport.profiles import load_profile

__all__ = [
    "ENV_VARS",
    "FIELDS",
    "ConnectionSettings",
    "TransportOptions",
    "Vendor",
    "resolve_connection",
]

Vendor = Literal["cognigy", "cxone", "genesys"]
VENDORS: tuple[Vendor, ...] = ("cognigy", "cxone", "genesys")
FIELDS = (
    "vendor",
    "base_url",
    "auth_url",
    "client_id",
    "client_secret",
    "api_key",
    "access_key_id",
    "access_key_secret",
    "tenant_id",
    "odata_url",
    "odata_key",
    "timeout",
    "max_answer_bytes",
)
SECRET_FIELDS = frozenset({"client_secret", "api_key", "access_key_secret", "odata_key"})
ENV_VARS = {name: f"CXOPS_{name.upper()}" for name in FIELDS}

# The names the seed documents (and the vendors' own samples) use, honoured as fallbacks.
_SEED_VARS: dict[str, dict[str, tuple[str, ...]]] = {
    "cognigy": {
        "base_url": ("COGNIGY_BASE_URL", "COGNIGY_API_BASE"),
        "auth_url": ("COGNIGY_AUTH_URL",),
        "client_id": ("COGNIGY_CLIENT_ID",),
        "client_secret": ("COGNIGY_CLIENT_SECRET",),
        "api_key": ("COGNIGY_API_KEY",),
    },
    "genesys": {
        "base_url": ("GENESYS_BASE_PATH", "GENESYS_BASE_URL", "GENESYS_API_BASE"),
        "auth_url": ("GENESYS_AUTH_URL", "GENESYS_LOGIN_URL"),
        "client_id": ("GENESYS_CLIENT_ID", "GENESYSCLOUD_OAUTHCLIENT_ID"),
        "client_secret": ("GENESYS_CLIENT_SECRET", "GENESYSCLOUD_OAUTHCLIENT_SECRET"),
    },
    "cxone": {
        "base_url": ("CXONE_BASE_URL", "CXONE_API_BASE"),
        "auth_url": ("CXONE_AUTH_URL",),
        "client_id": ("CXONE_CLIENT_ID",),
        "client_secret": ("CXONE_CLIENT_SECRET",),
        "access_key_id": ("CXONE_ACCESS_KEY_ID",),
        "access_key_secret": ("CXONE_ACCESS_KEY_SECRET",),
        "tenant_id": ("CXONE_TENANT_ID",),
    },
}

# Where each vendor's token host lives when no --auth-url is given (VENDORS.md, auth row).
_DEFAULT_AUTH = {"cxone": "https://cxone.niceincontact.com"}


class ConnectionSettings(BaseModel):
    """Where a vendor tenant is and how to authenticate; secrets never print.

    >>> s = ConnectionSettings(vendor="cognigy", base_url="https://api.example", api_key="k3y!")
    >>> s.api_key
    SecretStr('**********')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    vendor: Vendor
    base_url: str | None = None
    auth_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    api_key: SecretStr | None = None
    access_key_id: str | None = None
    access_key_secret: SecretStr | None = None
    tenant_id: str | None = None
    #: Cognigy: the OData analytics endpoint of this environment (its own host, e.g.
    #: ``https://odata-trial.cognigy.ai``) and the API key it takes (``apikey`` parameter).
    odata_url: str | None = None
    odata_key: SecretStr | None = None
    scopes: tuple[str, ...] = ()
    profile: str | None = None
    #: Seconds one vendor call may take, retries and waits included (``--timeout``, profile key
    #: ``timeout``, ``CXOPS_TIMEOUT``); None keeps TransportOptions.deadline (300 s).
    timeout: float | None = Field(None, gt=0, le=86400)
    #: Bytes one vendor answer may hold (``--max-answer-bytes``, profile key, env); None keeps
    #: TransportOptions.max_answer_bytes (256 MiB).
    max_answer_bytes: int | None = Field(None, ge=1024)
    #: ``protected = true`` in the profile: change nothing there unless explicitly asked.
    protected: bool = False

    @property
    def token_host(self) -> str | None:
        """The host tokens come from: ``auth_url``, else the vendor default, else ``base_url``."""
        return self.auth_url or _DEFAULT_AUTH.get(self.vendor) or self.base_url

    def auth_mode(self) -> str:
        """``api_key``, ``client_credentials`` or ``access_key``; ConfigError naming what lacks."""
        need: tuple[str, ...]
        if self.vendor == "cxone":
            need = ("access_key_id", "access_key_secret", "client_id", "client_secret")
            mode = "access_key"
        elif self.vendor == "cognigy" and self.api_key is not None:
            return "api_key"
        else:
            need = ("client_id", "client_secret")
            mode = "client_credentials"
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            flags = ", ".join("--" + f.replace("_", "-") for f in missing)
            envs = ", ".join(ENV_VARS[f] for f in missing)
            extra = " (or --api-key)" if self.vendor == "cognigy" else ""
            raise ConfigError(
                f"{self.vendor}: missing {flags}{extra}",
                hint=f"pass {flags}, set {envs}, or use --profile with cxops.toml",
            )
        return mode


class TransportOptions(BaseModel):
    """Tuning knobs for one client; the defaults are conservative for real tenants."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)
    write_timeout: float = Field(60.0, gt=0)
    pool_timeout: float = Field(30.0, gt=0)
    max_connections: int = Field(20, ge=1)
    deadline: float = Field(300.0, gt=0)  # one call, all attempts and waits included
    max_attempts: int = Field(6, ge=1)
    backoff_initial: float = Field(0.5, ge=0)  # full-jitter cap of the first retry
    backoff_max: float = Field(30.0, ge=0)
    retry_after_max: float = Field(120.0, ge=0)  # clamp for a vendor's Retry-After
    retry_after_scale: float = Field(1.0, ge=0)  # tests shrink honoured waits; 1.0 in production
    no_hint_backoff: float = Field(2.0, ge=0)  # CXone 429s carry no Retry-After: wait this cap
    budget_ratio: float = Field(0.5, ge=0)  # retries allowed per first attempt, on average
    budget_reserve: float = Field(20.0, ge=0)  # retries allowed before any ratio builds up
    rate: float = Field(10.0, gt=0)  # requests per second per tenant (token bucket)
    burst: float = Field(20.0, ge=1)
    concurrency: int = Field(8, ge=1)  # requests in flight per tenant
    token_leeway: float = Field(60.0, ge=0)  # refresh this long before expiry
    user_agent: str | None = None
    # One answer's body, decoded, is refused past this many bytes (read in chunks, so memory
    # stays bounded) and its JSON past this depth (issue #15).
    max_answer_bytes: int = Field(256 * 1024 * 1024, ge=1)
    max_answer_depth: int = Field(256, ge=1, le=400)


def _environment(cwd: Path | None, environ: Mapping[str, str] | None) -> dict[str, str]:
    """The real environment over the ``.env`` file of ``cwd`` (dotenv never overrides)."""
    env = dict(os.environ if environ is None else environ)
    dot = (cwd or Path.cwd()) / ".env"
    if dot.is_file():
        for key, value in dotenv_values(dot).items():
            if value is not None:
                env.setdefault(key, value)
    return env


def resolve_connection(
    flags: Mapping[str, str | None] | None = None,
    *,
    profile: str | None = None,
    scopes: tuple[str, ...] = (),
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Build the settings from flags, profile, environment, ``.env`` and the seeds' names.

    ``flags`` maps field names (``base_url``, ``client_secret``...) to what the command line
    gave (``None`` when absent). Raises :class:`ConfigError` when no vendor can be found, the
    vendor is unknown, or the profile is unusable.

    >>> resolve_connection({"vendor": "genesys", "base_url": "https://api.x"}, environ={}).vendor
    'genesys'
    """
    given = {k: v for k, v in (flags or {}).items() if v not in (None, "")}
    unknown = set(given) - set(FIELDS)
    if unknown:
        raise ConfigError(f"unknown connection setting(s): {', '.join(sorted(unknown))}")
    env = _environment(cwd, environ)
    profile = profile or env.get("CXOPS_PROFILE") or None
    from_profile = load_profile(profile, cwd or Path.cwd(), env) if profile else {}
    values: dict[str, str] = {}
    for name in FIELDS:
        value = given.get(name) or from_profile.get(name) or env.get(ENV_VARS[name])
        if value:
            values[name] = value
    vendor = values.get("vendor", "").lower()
    if vendor not in VENDORS:
        raise ConfigError(
            f"unknown vendor {vendor!r}" if vendor else "no vendor given",
            hint="pass --vendor cognigy|cxone|genesys or set CXOPS_VENDOR",
        )
    for name, names in _SEED_VARS[vendor].items():
        if name not in values:
            found = next((env[n] for n in names if env.get(n)), None)
            if found:
                values[name] = found
    values["vendor"] = vendor
    for name in SECRET_FIELDS & set(values):
        register_secret(values[name])
    for name in ("base_url", "auth_url"):
        if name in values and "@" in urlsplit(values[name]).netloc:
            # https://user:password@host: vendors authenticate with OAuth or keys, and a URL
            # is copied into logs, run records and errors; refuse it (the password is hidden
            # from every later line, and this one never shows it).
            register_secret(urlsplit(values[name]).password)
            register_secret(urlsplit(values[name]).username)
            flag = "--" + name.replace("_", "-")
            raise ConfigError(
                f"{flag}: a URL holding credentials (user:password@) is not accepted",
                hint=f"give {flag} without them and the secret with --client-secret, "
                "--api-key or an env: reference",
            )
    scope_text = from_profile.get("scopes", "")
    try:
        return ConnectionSettings(
            **values,
            scopes=scopes or tuple(scope_text.split()),
            profile=profile,
            protected=from_profile.get("protected") == "true",
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        raise ConfigError(
            f"--{name.replace('_', '-')}: {first['msg']}",
            hint=f"fix --{name.replace('_', '-')} (or {ENV_VARS.get(name, 'the profile')})",
        ) from None
