"""Named connection profiles in ``cxops.toml``, where secrets may only be ``env:NAME`` references.

Example::

    [profiles.prod]
    vendor = "genesys"
    base_url = "https://api.mypurecloud.de"
    auth_url = "https://login.mypurecloud.de"
    client_id = "3b1c..."
    client_secret = "env:GENESYS_PROD_SECRET"   # a literal secret here is refused
    scopes = ["architect", "analytics"]

Any value may be an ``env:NAME`` reference; a secret field must be one, because a file in a
repository is not a place for a secret (a literal one is a ConfigError naming the key, and its
value is never echoed).

``protected = true`` marks a tenant where cxops changes nothing unless the command line says so
explicitly (``cxops compile`` on CXone saves there only with ``--save``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from cxops.errors import ConfigError

__all__ = ["PROFILE_FILE", "load_profile"]

PROFILE_FILE = "cxops.toml"
_SECRETS = frozenset({"client_secret", "api_key", "access_key_secret", "odata_key"})
_KEYS = frozenset(
    {"vendor", "base_url", "auth_url", "client_id", "access_key_id", "tenant_id", "scopes"}
    | {"odata_url"}  # Cognigy's OData analytics endpoint (with odata_key: the sessions gate)
    | {"timeout", "max_answer_bytes"}  # per call: seconds, and bytes of one answer (#15)
    | {"protected"}
    | _SECRETS
)


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def load_profile(name: str, cwd: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The fields of profile ``name`` from ``cwd/cxops.toml``, with ``env:`` references resolved.

    Raises :class:`ConfigError` naming the file and key when the file or profile is missing, a
    key is unknown, a secret is written literally, or a referenced variable is unset.
    """
    path = cwd / PROFILE_FILE
    if not path.is_file():
        raise ConfigError(
            f"--profile {name}: no {PROFILE_FILE} in {cwd}",
            hint=f"create {PROFILE_FILE} with a [profiles.{name}] table",
        )
    found = _read(path).get("profiles", {})
    profiles: dict[str, object] = found if isinstance(found, dict) else {}
    table = profiles.get(name)
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: no [profiles.{name}] table",
            hint=f"known profiles: {', '.join(sorted(profiles)) if profiles else 'none'}",
        )
    out: dict[str, str] = {}
    for key, raw in table.items():
        where = f"{path}: profiles.{name}.{key}"
        if key not in _KEYS:
            raise ConfigError(
                f"{where}: unknown key", hint=f"known keys: {', '.join(sorted(_KEYS))}"
            )
        if key == "scopes" and isinstance(raw, list):
            raw = " ".join(str(s) for s in raw)
        if (
            key in ("timeout", "max_answer_bytes")
            and isinstance(raw, int | float)
            and not isinstance(raw, bool)
        ):
            raw = str(raw)  # seconds, as a TOML number
        if key == "protected":
            if not isinstance(raw, bool):
                raise ConfigError(f"{where}: expected true or false")
            out[key] = "true" if raw else "false"
            continue
        if not isinstance(raw, str):
            raise ConfigError(f"{where}: expected a string")
        if raw.startswith("env:"):
            var = raw[4:].strip()
            if not env.get(var):
                raise ConfigError(
                    f"{where}: environment variable {var} is not set",
                    hint=f"export {var}=... or put it in .env",
                )
            out[key] = env[var]
        elif key in _SECRETS:
            raise ConfigError(
                f"{where}: secrets may not be written in {PROFILE_FILE}",
                hint=f'write {key} = "env:SOME_VARIABLE" and set that variable instead',
            )
        else:
            out[key] = raw
    return out
