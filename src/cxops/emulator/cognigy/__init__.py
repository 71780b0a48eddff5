"""NICE Cognigy.AI: ``/new/v2.0`` REST API, ``/testing`` simulator, the OData analytics
endpoint (``/odata``), OAuth2 and API keys. Which evidence backs each shape:
docs/emulator/cognigy.md."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp

from cxops.emulator.context import EmulatorContext
from cxops.emulator.tokens import Credential

ADMIN_SCOPES = frozenset({"*"})
# One ``<area>:read`` / ``<area>:write`` (or ``:run``) pair per API area; the read-only client
# gets every ``:read`` and nothing that changes the tenant.
READ_AREAS = (
    "projects",
    "flows",
    "resources",
    "snapshots",
    "packages",
    "tasks",
    "endpoints",
    "conversations",
    "auditevents",
    "playbooks",
    "simulator",
)
WRITE_SCOPES = frozenset(
    {
        "flows:write",
        "snapshots:write",
        "packages:write",
        "tasks:write",
        "endpoints:write",
        "playbooks:run",
        "simulator:run",
    }
)
READONLY_SCOPES = frozenset(f"{area}:read" for area in READ_AREAS)


class CognigyEmulator:
    name = "cognigy"

    def build_tenant(self, ctx: EmulatorContext, tenant: str) -> Any:
        from cxops.emulator.cognigy.fixtures import build_tenant

        return build_tenant(ctx.config.seed, tenant)

    def credentials(self, tenant: str) -> list[Credential]:
        return [
            Credential(
                "cognigy",
                tenant,
                "admin",
                f"cognigy-{tenant}-admin",
                f"cognigy-{tenant}-admin-secret",
                ADMIN_SCOPES,
                api_key=f"cognigy-{tenant}-admin-apikey",
            ),
            Credential(
                "cognigy",
                tenant,
                "readonly",
                f"cognigy-{tenant}-readonly",
                f"cognigy-{tenant}-readonly-secret",
                READONLY_SCOPES,
                api_key=f"cognigy-{tenant}-readonly-apikey",
            ),
        ]

    def create_app(self, ctx: EmulatorContext, tenant: str) -> ASGIApp:
        from cxops.emulator.cognigy.app import create_app

        return create_app(ctx, tenant)

    def describe(self, base_url: str, tenant: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "auth_url": base_url,
            "token_url": f"{base_url}/auth/oauth2/token",
            "api": f"{base_url}/new/v2.0",
            "simulator": f"{base_url}/testing",
            # On a real platform the OData endpoint is a host of its own (odata-<env>...).
            "odata": f"{base_url}/odata",
            "credentials": {
                c.name: {
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "api_key": c.api_key,
                }
                for c in self.credentials(tenant)
            },
        }


VENDOR = CognigyEmulator()
