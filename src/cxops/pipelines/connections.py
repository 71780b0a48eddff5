"""Connection settings across a crash, without ever writing a secret down.

A workflow's inputs are stored by DBOS and a run's params by the store, and both are shown to
people, so they carry only the *public* half of the settings (vendor, URLs, ids, profile). The
secrets come back at step time from the settings the running command was given
(:func:`remember`), else from the usual sources (profile, ``CXOPS_*`` variables, ``.env``) via
``resolve_connection``: resuming a run needs the same credentials in the environment or on the
``cxops runs resume`` command line, and never in the store.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cxops.errors import ConfigError
from cxops.transport.settings import SECRET_FIELDS, ConnectionSettings, resolve_connection

__all__ = [
    "public_settings",
    "remember",
    "run_connections",
    "settings_for",
    "tenant_identity",
    "with_credentials",
]

_known: dict[tuple[str, str | None], ConnectionSettings] = {}


def public_settings(settings: ConnectionSettings) -> dict[str, Any]:
    """The non-secret fields of the settings, JSON-ready."""
    # ``protected`` comes back from the profile with the rest; it is no connection flag.
    doc = settings.model_dump(mode="json", exclude={*SECRET_FIELDS, "protected"})
    doc["scopes"] = list(settings.scopes)
    return {k: v for k, v in doc.items() if v not in (None, [], "")}


def remember(settings: ConnectionSettings) -> None:
    """Make these settings (secrets included) available to steps of this process."""
    _known[(settings.vendor, settings.base_url)] = settings


def settings_for(public: dict[str, Any]) -> ConnectionSettings:
    """The full settings for a public description: remembered ones, else resolved afresh."""
    known = _known.get((public["vendor"], public.get("base_url")))
    if known is not None:
        return known
    flags = {k: v for k, v in public.items() if k not in ("scopes", "profile")}
    return resolve_connection(
        flags, profile=public.get("profile"), scopes=tuple(public.get("scopes", ()))
    )


def run_connections(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The public connections a run's params name (export: one; promotion: source, target)."""
    if "connection" in params:
        return [params["connection"]]
    return [params["connections"][side] for side in ("source", "target")]


def with_credentials(public: dict[str, Any], flags: dict[str, str | None]) -> ConnectionSettings:
    """Settings for a stored connection, credentials from ``flags`` (given again to ``cxops runs
    resume``), else the profile, the environment or ``.env`` as the first command read them;
    remembered for the steps. A ConfigError says which credentials the run needs and where
    they may come from, before anything runs."""
    given = {k: v for k, v in flags.items() if v}
    stored = {k: v for k, v in public.items() if k not in ("scopes", "profile")}
    where = f"{public['vendor']} at {public.get('base_url') or public.get('tenant_id') or '?'}"
    if public.get("profile"):
        where += f" (profile {public['profile']})"
    try:
        settings = resolve_connection(
            {**stored, **given},
            profile=public.get("profile"),
            scopes=tuple(public.get("scopes", ())),
        )
        settings.auth_mode()  # names what is missing
    except ConfigError as exc:
        raise ConfigError(
            f"the run needs the credentials of {where}: {exc.message}",
            hint="runs never store secrets: give them again to `cxops runs resume` as flags, "
            "or set the CXOPS_* variables / the profile the first command used",
        ) from None
    remember(settings)
    return settings


def tenant_identity(settings: ConnectionSettings) -> str:
    """Which tenant this is, as the vendor addresses it, for the ``tenant`` of bundles: the
    tenant (CXone business unit) id when there is one, else the API base URL's host and path
    (a Cognigy tenant is its URL). Never the profile name: two profiles of one tenant export
    identical files (issue #14). Genesys' base URL is the region's: its org id would need an
    API call (``/api/v2/organizations/me``), so bundles of two orgs in one region share it."""
    if settings.tenant_id:
        return settings.tenant_id
    parts = urlsplit(settings.base_url or "")
    return f"{parts.netloc}{parts.path}".rstrip("/") or settings.vendor
