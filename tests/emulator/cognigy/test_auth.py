"""Cognigy auth over real HTTP: API key, OAuth2, expiry, scopes, rate limits."""

from __future__ import annotations

import email.utils

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.cognigy.conftest import Client


def _token(emu: EmulatorThread, who: str = "admin", secret: str | None = None) -> httpx.Response:
    return httpx.post(
        emu.base("cognigy", "dev") + "/auth/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": f"cognigy-dev-{who}",
            "client_secret": secret or f"cognigy-dev-{who}-secret",
        },
    )


def test_api_key_lists_projects(cognigy: Client) -> None:
    """A valid X-API-Key lists the tenant's projects."""
    r = cognigy().get("/new/v2.0/projects")
    assert r.status_code == 200
    assert r.json()["total"] == len(r.json()["items"]) == 8


def test_oauth2_token_then_bearer(emu: EmulatorThread) -> None:
    """Client credentials give a bearer token the API accepts."""
    tok = _token(emu)
    assert tok.status_code == 200 and tok.json()["token_type"] == "Bearer"
    r = httpx.get(
        emu.base("cognigy", "dev") + "/new/v2.0/projects",
        headers={"Authorization": f"Bearer {tok.json()['access_token']}"},
    )
    assert r.status_code == 200 and r.json()["total"] == 8


def test_bad_credentials_are_401_problems(emu: EmulatorThread) -> None:
    """A wrong secret, a wrong API key and no credential are RFC 7807 401s."""
    assert _token(emu, secret="nope").status_code == 401
    base = emu.base("cognigy", "dev") + "/new/v2.0/projects"
    for headers in ({"X-API-Key": "wrong"}, {}):
        r = httpx.get(base, headers=headers)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 401


def test_expired_token_is_rejected(emu: EmulatorThread) -> None:
    """A token stops working once the emulator clock passes its lifetime."""
    token = _token(emu).json()
    emu.ctx.clock.advance(token["expires_in"] + 1)
    r = httpx.get(
        emu.base("cognigy", "dev") + "/new/v2.0/projects",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_readonly_cannot_mutate(cognigy: Client) -> None:
    """The read-only client reads, but creating a snapshot is a 403 naming the permission."""
    ro = cognigy(who="readonly")
    pid = ro.get("/new/v2.0/projects").json()["items"][0]["_id"]
    r = ro.post("/new/v2.0/snapshots", json={"projectId": pid, "name": "x", "description": ""})
    assert r.status_code == 403
    assert "snapshots:write" in r.json()["detail"]
    eid = ro.get("/new/v2.0/endpoints").json()["items"][0]["_id"]
    r = ro.patch(f"/new/v2.0/endpoints/{eid}", json={"active": False})
    assert r.status_code == 403 and "endpoints:write" in r.json()["detail"]


def test_rate_limit_retry_after_seconds_and_http_date(emu: EmulatorThread, cognigy: Client) -> None:
    """Past the scenario's burst a 429 carries Retry-After in seconds, or as an HTTP-date."""
    for fmt in ("seconds", "http-date"):
        scenario = {
            "rate_limits": {"cognigy/dev": {"rate": 0.01, "burst": 2}},
            "retry_after_format": fmt,
        }
        assert httpx.post(emu.url + "/_emulator/scenario", json=scenario).status_code == 200
        client = cognigy()
        codes = [client.get("/new/v2.0/projects") for _ in range(3)]
        assert [r.status_code for r in codes] == [200, 200, 429]
        retry = codes[-1].headers["Retry-After"]
        if fmt == "seconds":
            assert retry.isdigit() and int(retry) >= 1
        else:
            assert email.utils.parsedate_to_datetime(retry).tzinfo is not None
        assert codes[-1].json()["status"] == 429
