"""Vendor adapters (Cognigy, CXone, Genesys): one module each, listed in one dict.

``adapter_for(client, settings)`` gives the adapter of the settings' vendor; see
``cxops.vendors.base`` for the protocol and docs/vendors.md for what each vendor's export reads.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cxops.errors import UsageError
from cxops.transport import ConnectionSettings, VendorClient
from cxops.vendors.base import FlowRef, ProjectRef, VendorAdapter, pick_flows, pick_project
from cxops.vendors.cognigy import CognigyAdapter
from cxops.vendors.cxone import CxoneAdapter
from cxops.vendors.genesys import GenesysAdapter

__all__ = [
    "ADAPTERS",
    "FlowRef",
    "ProjectRef",
    "VendorAdapter",
    "adapter_for",
    "pick_flows",
    "pick_project",
    "tenant_label",
]

ADAPTERS: dict[str, type[VendorAdapter]] = {
    "cognigy": CognigyAdapter,
    "cxone": CxoneAdapter,
    "genesys": GenesysAdapter,
}


def tenant_label(settings: ConnectionSettings) -> str:
    """The name bundles carry as ``tenant``: the profile, else the tenant id, else the last
    segment of the base URL's path (the emulator's ``dev``/``prod``), else its host."""
    if settings.profile:
        return settings.profile
    if settings.tenant_id:
        return settings.tenant_id
    parts = urlsplit(settings.base_url or "")
    segments = [s for s in parts.path.split("/") if s]
    return segments[-1] if segments else parts.hostname or settings.vendor


def adapter_for(
    client: VendorClient, settings: ConnectionSettings, *, tenant: str | None = None
) -> VendorAdapter:
    """The adapter for ``settings.vendor`` reading through ``client``.

    ``tenant`` names the tenant in bundles (default: :func:`tenant_label`).
    """
    cls = ADAPTERS.get(settings.vendor)
    if cls is None:
        raise UsageError(f"no adapter for vendor {settings.vendor!r}", hint=", ".join(ADAPTERS))
    adapter: VendorAdapter = cls(client, tenant or tenant_label(settings))
    return adapter
