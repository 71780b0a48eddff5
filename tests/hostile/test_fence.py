"""The bearer token only ever goes under the API prefix; vendor ids stay one path segment."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.errors import ProtocolError
from cxops.transport import ConnectionSettings, connect
from cxops.transport.settings import TransportOptions
from cxops.transport.urls import API_ROOTS, api_path, inside, seg

TOKEN = "tok-fence-canary-7781"


def _recording_app(seen: list[tuple[str, str, str]]) -> Starlette:
    async def any_path(request: Request) -> Response:
        seen.append(
            (
                f"{request.url.scheme}://{request.url.netloc}",
                request.scope.get("raw_path", b"").decode(),
                request.headers.get("authorization", ""),
            )
        )
        if request.url.path.endswith("/oauth/token"):
            return JSONResponse({"access_token": TOKEN, "expires_in": 3600})
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/{path:path}", any_path, methods=["GET", "POST", "PUT"])])


def _options() -> TransportOptions:
    return TransportOptions(max_attempts=1, backoff_initial=0, backoff_max=0)


@pytest.mark.parametrize(
    "hostile",
    ["..", "../../..", "../../../_emulator/summary", "a/../../..", "?x=1", "#frag", "%2e%2e", "/"],
)
async def test_hostile_ids_stay_one_segment_under_the_prefix(hostile: str) -> None:
    """An id built with api_path reaches the flow route, never another path or query."""
    seen: list[tuple[str, str, str]] = []
    settings = ConnectionSettings(
        vendor="genesys",
        base_url="http://api.t.test/genesys/t1",
        auth_url="http://api.t.test/genesys/t1",
        client_id="id",
        client_secret="s3cret-fence",
    )
    transport = httpx.ASGITransport(app=_recording_app(seen))
    async with await connect(settings, _options(), transport=transport) as client:
        path = api_path("/api/v2/flows", hostile, "latestconfiguration")
        if hostile in ("../../..", "../../../_emulator/summary"):
            # Encoded, but a proxy that decodes %2F would climb out: refused, nothing sent.
            with pytest.raises(ProtocolError, match="outside the API prefix"):
                await client.get_json(path)
            assert [s for s in seen if not s[1].endswith("/oauth/token")] == []
            return
        await client.get_json(path)
    calls = [s for s in seen if not s[1].endswith("/oauth/token")]
    assert len(calls) == 1
    _, raw, auth = calls[0]
    assert raw.startswith("/genesys/t1/api/v2/flows/")
    assert raw.endswith("/latestconfiguration")
    assert raw.count("/") == "/genesys/t1/api/v2/flows/x/latestconfiguration".count("/")
    assert "?" not in raw and "#" not in raw
    assert auth == f"Bearer {TOKEN}"


async def test_a_path_built_by_hand_that_leaves_the_prefix_is_never_sent() -> None:
    """f"/api/v2/flows/{id}" with id='../../../_emulator/x': refused before any request."""
    seen: list[tuple[str, str, str]] = []
    settings = ConnectionSettings(
        vendor="cognigy", base_url="http://api.t.test/cognigy/t1", api_key="k-fence-9931"
    )
    transport = httpx.ASGITransport(app=_recording_app(seen))
    async with await connect(settings, _options(), transport=transport) as client:
        for evil in ("../../../_emulator/summary", "..%2F..%2F..%2Fx", "%252e%252e/%252e%252e/x"):
            with pytest.raises(ProtocolError, match="outside the API prefix"):
                await client.get_json(f"/new/v2.0/flows/../../{evil}")
        with pytest.raises(ProtocolError, match="outside the API prefix"):
            await client.get_json("/other/v1/x")
        await client.get_json("/new/v2.0/flows/ok")
    assert [s[1] for s in seen] == ["/cognigy/t1/new/v2.0/flows/ok"]
    assert seen[0][2] == "" or "k-fence-9931" not in seen[0][2]  # api key goes in X-API-Key


async def test_links_outside_the_prefix_or_origin_get_no_credentials() -> None:
    """A vendor-given absolute URL outside the API (same host, other port, other host) is
    fetched without the token; the API itself gets it."""
    seen: list[tuple[str, str, str]] = []
    settings = ConnectionSettings(
        vendor="genesys",
        base_url="http://api.t.test",
        auth_url="http://login.t.test",
        client_id="id",
        client_secret="s3cret-fence",
    )
    transport = httpx.ASGITransport(app=_recording_app(seen))
    async with await connect(settings, _options(), transport=transport) as client:
        await client.get_json("/api/v2/flows")
        await client.get_json("http://api.t.test/downloads/x.zip")
        await client.get_json("http://api.t.test:8443/api/v2/flows")
        await client.get_json("https://api.t.test/api/v2/flows")
        await client.get_json("http://s3.elsewhere.test/api/v2/flows")
    auth = {(net, raw): a for net, raw, a in seen if not raw.endswith("/oauth/token")}
    home = ("http://api.t.test", "/api/v2/flows")
    assert auth[home] == f"Bearer {TOKEN}"
    others = {k: v for k, v in auth.items() if k != home}
    assert len(others) == 4
    assert all(v == "" for v in others.values()), others


def test_segment_encoding_and_the_prefix_check() -> None:
    """seg() leaves no '/', '?', '#', '%' or dot segment; inside() decodes and normalises."""
    for value in ("..", ".", "...", "a/b", "a?b", "a#b", "a%2Fb", "a\0b", "x\ny", "ü/ß"):
        out = seg(value)
        assert "/" not in out and "?" not in out and "#" not in out
        assert out not in (".", "..", "...")
    assert inside(httpx.URL("http://h/p/api/v2/x"), "/p/api/")
    assert not inside(httpx.URL("http://h/p/api/v2/%2E%2E/%2E%2E/%2E%2E/x"), "/p/api/")
    assert not inside(httpx.URL("http://h/p/api/..%2F..%2Fx"), "/p/api/")
    assert not inside(httpx.URL("http://h/p/apix/v2"), "/p/api/")


def test_cognigy_simulator_root_is_inside_the_fence() -> None:
    """Cognigy's simulator answers under /testing/ beside /new/: both are API roots, no other."""
    prefixes = tuple("/cognigy/dev" + root for root in API_ROOTS["cognigy"])
    assert inside(httpx.URL("http://h/cognigy/dev/testing/simulations?projectId=x"), prefixes)
    assert inside(httpx.URL("http://h/cognigy/dev/new/v2.0/projects"), prefixes)
    assert not inside(httpx.URL("http://h/cognigy/dev/other/x"), prefixes)
    assert not inside(httpx.URL("http://h/cognigy/dev/new/../admin"), prefixes)
