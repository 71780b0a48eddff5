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

from cxops.transport.settings import SECRET_FIELDS, ConnectionSettings, resolve_connection

__all__ = ["public_settings", "remember", "settings_for"]

_known: dict[tuple[str, str | None], ConnectionSettings] = {}


def public_settings(settings: ConnectionSettings) -> dict[str, Any]:
    """The non-secret fields of the settings, JSON-ready."""
    doc = settings.model_dump(mode="json", exclude=set(SECRET_FIELDS))
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
