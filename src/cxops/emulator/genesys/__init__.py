"""Genesys Cloud: ``/api/v2`` (Architect, dependency tracking, textbots, analytics) and login."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp

from cxops.emulator.context import EmulatorContext
from cxops.emulator.tokens import Credential

ADMIN_SCOPES = frozenset({"*"})
READONLY_SCOPES = frozenset(
    {
        "architect:flow:view",
        "architect:dependencyTracking:view",
        "architect:job:view",
        "analytics:flowObservation:view",
    }
)


class GenesysEmulator:
    """The Genesys Cloud vendor package of the emulator (``VendorEmulator``)."""

    name = "genesys"

    def build_tenant(self, ctx: EmulatorContext, tenant: str) -> Any:
        from cxops.emulator.genesys.fixtures import build_tenant

        return build_tenant(ctx.config.seed, tenant)

    def credentials(self, tenant: str) -> list[Credential]:
        return [
            Credential(
                "genesys",
                tenant,
                "admin",
                f"genesys-{tenant}-admin",
                f"genesys-{tenant}-admin-secret",
                ADMIN_SCOPES,
            ),
            Credential(
                "genesys",
                tenant,
                "readonly",
                f"genesys-{tenant}-readonly",
                f"genesys-{tenant}-readonly-secret",
                READONLY_SCOPES,
            ),
        ]

    def create_app(self, ctx: EmulatorContext, tenant: str) -> ASGIApp:
        from cxops.emulator.genesys.app import create_app

        return create_app(ctx, tenant)

    def describe(self, base_url: str, tenant: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "auth_url": base_url,
            "token_url": f"{base_url}/oauth/token",
            "api": f"{base_url}/api/v2",
            "credentials": {
                c.name: {"client_id": c.client_id, "client_secret": c.client_secret}
                for c in self.credentials(tenant)
            },
        }


VENDOR = GenesysEmulator()
