"""Genesys login and permissions: tokens, bad secrets, expiry, and a 403 naming the permission."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.genesys.conftest import client, flow_id, token


def test_client_credentials_token_reads_flows(emu: EmulatorThread) -> None:
    """A token from /oauth/token (Basic client auth) opens /api/v2/flows."""
    r = httpx.post(
        f"{emu.base('genesys', 'dev')}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("genesys-dev-admin", "genesys-dev-admin-secret"),
    )
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "bearer" and body["expires_in"] > 0
    flows = httpx.get(
        f"{emu.base('genesys', 'dev')}/api/v2/flows",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert flows.status_code == 200 and flows.json()["total"] > 0


def test_bad_secret_gets_no_token(emu: EmulatorThread) -> None:
    """A wrong secret is refused with invalid_client and no token."""
    r = httpx.post(
        f"{emu.base('genesys', 'dev')}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("genesys-dev-admin", "not-the-secret"),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_client"
    assert "access_token" not in r.json()


def test_token_expires_after_expires_in(emu: EmulatorThread) -> None:
    """Past expires_in on the emulator clock the same token gets Genesys' 401 body."""
    r = httpx.post(
        f"{emu.base('genesys', 'dev')}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("genesys-dev-admin", "genesys-dev-admin-secret"),
    )
    tok, ttl = r.json()["access_token"], r.json()["expires_in"]
    headers = {"Authorization": f"Bearer {tok}"}
    url = f"{emu.base('genesys', 'dev')}/api/v2/flows"
    assert httpx.get(url, headers=headers).status_code == 200
    emu.ctx.clock.advance(ttl + 1)
    expired = httpx.get(url, headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "bad.credentials" and expired.json()["status"] == 401


def test_readonly_client_cannot_publish(emu: EmulatorThread) -> None:
    """The read-only client may read flows but publishing answers 403 naming the permission."""
    with client(emu, who="readonly") as ro:
        fid = flow_id(ro, "Main Line IVR")
        r = ro.post("/api/v2/flows/actions/publish", params={"flow": fid})
        assert r.status_code == 403
        body = r.json()
        assert body["code"] == "missing.permissions"
        assert "architect:flow:publish" in body["message"]
        checkout = ro.post("/api/v2/flows/actions/checkout", params={"flow": fid})
        assert checkout.status_code == 403 and "architect:flow:edit" in checkout.json()["message"]


def test_dev_token_is_refused_by_prod(emu: EmulatorThread) -> None:
    """Orgs are isolated: a dev token does not open prod."""
    r = httpx.get(
        f"{emu.base('genesys', 'prod')}/api/v2/flows",
        headers={"Authorization": f"Bearer {token(emu, 'dev')}"},
    )
    assert r.status_code == 401
