"""Auth against the emulator's real token endpoints: single flight, expiry, 401 replay."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import AuthError, ConfigError
from cxops.transport import open_client
from tests.transport.conftest import fast, scenario, seen, settings_for

CXONE_API = "/inContactAPI/services/v31.0"
PATHS = {
    "genesys": "/api/v2/flows",
    "cognigy": "/new/v2.0/projects",
}


@pytest.mark.parametrize("vendor", ["genesys", "cognigy"])
async def test_200_concurrent_calls_on_an_expired_token_fetch_one_token(
    emu: EmulatorThread, vendor: str
) -> None:
    """When the vendor expires the token, 200 concurrent calls cause exactly 1 token request."""
    async with open_client(settings_for(emu, vendor), fast()) as client:
        await client.get_json(PATHS[vendor])
        assert emu.ctx.tokens.issued == 1
        emu.ctx.clock.advance(7200)  # every token the emulator issued is now expired
        results = await asyncio.gather(*(client.get_json(PATHS[vendor]) for _ in range(200)))
    assert len(results) == 200
    assert emu.ctx.tokens.issued == 2
    token_calls = [r for r in seen(emu, vendor) if r["path"].endswith("token")]
    assert len(token_calls) == 2


async def test_local_expiry_refreshes_once_before_the_vendor_refuses(emu: EmulatorThread) -> None:
    """Expiry counts from local receipt minus leeway: past it, 200 calls refresh once, no 401."""
    now = [1000.0]
    async with open_client(
        settings_for(emu, "genesys"), fast(token_leeway=60), clock=lambda: now[0]
    ) as client:
        await client.get_json("/api/v2/flows")
        now[0] += 3600 - 60 - 1  # just inside the leeway: still fresh
        await client.get_json("/api/v2/flows")
        assert emu.ctx.tokens.issued == 1
        now[0] += 2  # past expiry minus leeway
        await asyncio.gather(*(client.get_json("/api/v2/flows") for _ in range(200)))
    assert emu.ctx.tokens.issued == 2
    assert not [r for r in seen(emu, "genesys") if r["status"] == 401]


async def test_revoked_token_is_refetched_once_and_the_call_replayed(emu: EmulatorThread) -> None:
    """A 401 on a token we thought fresh fetches one new token and replays the call once."""
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        await client.get_json("/new/v2.0/projects")
        emu.ctx.tokens.revoke_all()
        data = await client.get_json("/new/v2.0/projects")
    assert "items" in data
    statuses = [(r["path"], r["status"]) for r in seen(emu, "cognigy")]
    assert statuses[-3:] == [
        ("/new/v2.0/projects", 401),
        ("/auth/oauth2/token", 200),
        ("/new/v2.0/projects", 200),
    ]


async def test_wrong_secret_is_an_auth_error_without_the_secret(emu: EmulatorThread) -> None:
    """A refused token request raises AuthError that names the vendor but not the secret."""
    settings = settings_for(emu, "genesys", client_secret="canary-wrong-secret-123")
    async with open_client(settings, fast()) as client:
        with pytest.raises(AuthError) as caught:
            await client.get_json("/api/v2/flows")
    assert "genesys" in str(caught.value)
    assert "token request refused" in str(caught.value)
    assert "canary-wrong-secret-123" not in str(caught.value) + repr(caught.value)


async def test_cognigy_api_key_sends_no_token_request(emu: EmulatorThread) -> None:
    """With an API key, Cognigy calls carry X-API-Key and no token is ever minted."""
    settings = settings_for(emu, "cognigy", api_key="cognigy-dev-admin-apikey")
    async with open_client(settings, fast()) as client:
        await client.get_json("/new/v2.0/projects")
    assert emu.ctx.tokens.issued == 0
    assert seen(emu, "cognigy")[-1]["status"] == 200


async def test_cxone_discovers_the_api_host_and_uses_the_access_key(emu: EmulatorThread) -> None:
    """CXone without a base URL asks the well-known document for api_endpoint, then mints."""
    settings = settings_for(emu, "cxone", base_url=None)
    document = httpx.get(
        f"{emu.base('cxone')}/.well-known/cxone-configuration", params={"tenantId": "dev"}
    ).json()
    async with open_client(settings, fast()) as client:
        assert str(client.http.base_url).rstrip("/") == document["api_endpoint"].rstrip("/")
        found = await client.get_json(f"{CXONE_API}/scripts/search", params={"top": 5})
    assert found["scriptSearchDetails"]
    paths = [r["path"] for r in seen(emu, "cxone")]
    assert paths[1:] == [
        "/.well-known/cxone-configuration",
        "/auth/token",
        f"{CXONE_API}/scripts/search",
    ]


async def test_cxone_without_tenant_or_base_url_is_a_config_error() -> None:
    """CXone needs --base-url or --tenant-id; the error says which flags to give."""
    from cxops.transport import ConnectionSettings

    settings = ConnectionSettings(
        vendor="cxone",
        client_id="a",
        client_secret="bbbb",
        access_key_id="c",
        access_key_secret="dddd",
    )
    with pytest.raises(ConfigError, match="--tenant-id"):
        async with open_client(settings, fast()):
            pass


async def test_token_endpoint_outage_is_retried_as_never_sent(emu: EmulatorThread) -> None:
    """A 503 from the token endpoint is retried even for a POST, since the call never left."""
    scenario(emu, faults=[{"path": "/oauth/token", "action": "error", "status": 503, "first": 2}])
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        response = await client.request("POST", "/api/v2/flows", json={}, accept=(404, 405))
    assert response.status_code in (404, 405)  # the stub has no POST; we only prove we got there
    assert emu.ctx.tokens.issued == 1
