"""Connection settings for the emulator's fixture tenants (admin credentials) in tests."""

from __future__ import annotations

from cxops.emulator import EmulatorThread
from cxops.transport import ConnectionSettings, resolve_connection


def flags(emu: EmulatorThread, vendor: str, tenant: str = "dev") -> dict[str, str]:
    """The connection flags of one emulated tenant, as ``resolve_connection`` takes them."""
    base = emu.base(vendor, tenant)
    if vendor == "cxone":
        return {
            "vendor": "cxone",
            "base_url": base,
            "auth_url": base,
            "client_id": f"cxone-{tenant}-app",
            "client_secret": f"cxone-{tenant}-app-secret",
            "access_key_id": f"cxone-{tenant}-admin-key",
            "access_key_secret": f"cxone-{tenant}-admin-key-secret",
        }
    if vendor == "genesys":
        return {
            "vendor": "genesys",
            "base_url": base,
            "auth_url": base,
            "client_id": f"genesys-{tenant}-admin",
            "client_secret": f"genesys-{tenant}-admin-secret",
        }
    return {"vendor": "cognigy", "base_url": base, "api_key": f"cognigy-{tenant}-admin-apikey"}


def settings(emu: EmulatorThread, vendor: str, tenant: str = "dev") -> ConnectionSettings:
    """Resolved settings for one emulated tenant."""
    return resolve_connection(flags(emu, vendor, tenant))


def cli_args(emu: EmulatorThread, vendor: str, tenant: str = "dev") -> list[str]:
    """The same as command-line flags."""
    out = []
    for key, value in flags(emu, vendor, tenant).items():
        out += ["--" + key.replace("_", "-"), value]
    return out
