"""NICE CXone: access-key token, discovery, and Studio scripts under ``/inContactAPI``.

Shapes, sources, validation codes and fixtures are described in docs/emulator/cxone.md; the
fixture flaws other rooms test against are ``cxops.emulator.cxone.fixtures.FLAWS``.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp

from cxops.emulator.context import EmulatorContext
from cxops.emulator.tokens import Credential

API_VERSION = "v31.0"
ADMIN_SCOPES = frozenset({"*"})
READONLY_SCOPES = frozenset({"scripts:read"})


class CxoneEmulator:
    """The CXone vendor package: business units ``dev``/``prod`` with Studio scripts."""

    name = "cxone"

    def build_tenant(self, ctx: EmulatorContext, tenant: str) -> Any:
        from cxops.emulator.cxone.fixtures import build_tenant

        return build_tenant(ctx.config.seed, tenant)

    def credentials(self, tenant: str) -> list[Credential]:
        return [
            Credential(
                "cxone",
                tenant,
                "admin",
                f"cxone-{tenant}-app",
                f"cxone-{tenant}-app-secret",
                ADMIN_SCOPES,
                access_key_id=f"cxone-{tenant}-admin-key",
                access_key_secret=f"cxone-{tenant}-admin-key-secret",
            ),
            Credential(
                "cxone",
                tenant,
                "readonly",
                f"cxone-{tenant}-app",
                f"cxone-{tenant}-app-secret",
                READONLY_SCOPES,
                access_key_id=f"cxone-{tenant}-readonly-key",
                access_key_secret=f"cxone-{tenant}-readonly-key-secret",
            ),
        ]

    def create_app(self, ctx: EmulatorContext, tenant: str) -> ASGIApp:
        from cxops.emulator.cxone.app import create_app

        return create_app(ctx, tenant)

    def describe(self, base_url: str, tenant: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "auth_url": base_url,
            "token_url": f"{base_url}/auth/token",
            "discovery": f"{base_url}/.well-known/cxone-configuration?tenantId={tenant}",
            "api": f"{base_url}/inContactAPI/services/{API_VERSION}",
            "tenant_id": tenant,
            "scopes": {"admin": sorted(ADMIN_SCOPES), "readonly": sorted(READONLY_SCOPES)},
            "credentials": {
                c.name: {
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "access_key_id": c.access_key_id,
                    "access_key_secret": c.access_key_secret,
                }
                for c in self.credentials(tenant)
            },
        }


VENDOR = CxoneEmulator()
