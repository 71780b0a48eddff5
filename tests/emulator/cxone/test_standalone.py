"""The CXone tenant served alone at the vendor's own root paths (in-process ASGI transport)."""

from __future__ import annotations

import asyncio

import httpx

from cxops.emulator import create_vendor_app


def test_vendor_app_alone_serves_real_root_paths() -> None:
    """Token, discovery and a lower-case /incontactapi search work with no /cxone/dev prefix."""
    app = create_vendor_app("cxone", "prod")

    async def run() -> tuple[str, int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cxone.test") as c:
            token = await c.post(
                "/auth/token",
                data={
                    "grant_type": "password",
                    "username": "cxone-prod-admin-key",
                    "password": "cxone-prod-admin-key-secret",
                },
                auth=("cxone-prod-app", "cxone-prod-app-secret"),
            )
            found = await c.get("/.well-known/cxone-configuration", params={"tenantId": "prod"})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            search = await c.get("/incontactapi/services/v31.0/scripts/search", headers=headers)
            return found.json()["api_endpoint"], search.status_code, search.json()["totalRecords"]

    endpoint, status, total = asyncio.run(run())
    assert endpoint == "http://cxone.test"
    assert status == 200 and total == 10
