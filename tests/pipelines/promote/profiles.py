"""A ``cxops.toml`` with profiles ``dev`` and ``prod`` of one emulator vendor, for CLI tests.

Admin credentials from ``/_emulator/info``; every secret is an ``env:`` reference, and the
variables holding them are returned (for a subprocess's environment or ``monkeypatch.setenv``).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from cxops.emulator import EmulatorThread

__all__ = ["write_profiles"]

#: The credential fields each vendor's profile takes (the rest of the admin entry is unused).
FIELDS = {
    "cognigy": ("api_key",),
    "genesys": ("client_id", "client_secret"),
    "cxone": ("client_id", "client_secret", "access_key_id", "access_key_secret"),
}
SECRETS = frozenset({"api_key", "client_secret", "access_key_secret"})


def write_profiles(emu: EmulatorThread, root: Path, vendor: str) -> dict[str, str]:
    """Write ``root/cxops.toml``; the environment variables its ``env:`` references need."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"][vendor]
    env: dict[str, str] = {}
    lines: list[str] = []
    for tenant in ("dev", "prod"):
        there = info[tenant]
        lines += [f"[profiles.{tenant}]", f'vendor = "{vendor}"']
        lines += [
            f'{k} = "{there[k]}"' for k in ("base_url", "auth_url", "tenant_id") if k in there
        ]
        for name in FIELDS[vendor]:
            value = there["credentials"]["admin"][name]
            if name in SECRETS:
                var = f"TEST_{vendor}_{tenant}_{name}".upper()
                env[var] = value
                value = f"env:{var}"
            lines.append(f'{name} = "{value}"')
        if vendor == "cognigy":  # the OData analytics endpoint: the sessions gate's source
            var = f"TEST_COGNIGY_{tenant}_ODATA_KEY".upper()
            env[var] = there["credentials"]["admin"]["api_key"]
            lines += [f'odata_url = "{there["odata"]}"', f'odata_key = "env:{var}"']
        lines.append("")
    (root / "cxops.toml").write_text("\n".join(lines), encoding="utf-8")
    return env
