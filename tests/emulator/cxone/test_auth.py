"""CXone access-key tokens, discovery, scopes and the API root over real HTTP."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.cxone.conftest import Cx


def test_access_key_token_is_accepted_by_the_api(cx: Cx) -> None:
    """A password grant with the admin access key yields a bearer token the API accepts."""
    response = cx.token_response()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    # The token answer of the public typings: id_token and refresh_token come along.
    assert {"access_token", "id_token", "refresh_token"} <= set(body)
    assert body["id_token"].count(".") == 2 and body["refresh_token"] != body["access_token"]
    listed = httpx.get(
        cx.api + "/scripts/search",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert listed.status_code == 200


def test_wrong_access_key_secret_is_invalid_grant(cx: Cx) -> None:
    """A wrong access key secret is refused with the auth host's {error,error_description}."""
    response = httpx.post(
        f"{cx.base}/auth/token",
        data={
            "grant_type": "password",
            "username": "cxone-dev-admin-key",
            "password": "not-the-secret",
        },
        auth=("cxone-dev-app", "cxone-dev-app-secret"),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "error_description" in response.json()


def test_wrong_client_secret_is_invalid_client(cx: Cx) -> None:
    """A right access key with a wrong application secret is a 401 invalid_client."""
    response = cx.token_response(client_secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_access_key_of_another_tenant_is_refused(emu: EmulatorThread) -> None:
    """prod's access key does not open dev."""
    response = httpx.post(
        f"{emu.base('cxone', 'dev')}/auth/token",
        data={
            "grant_type": "password",
            "username": "cxone-prod-admin-key",
            "password": "cxone-prod-admin-key-secret",
        },
        auth=("cxone-dev-app", "cxone-dev-app-secret"),
    )
    assert response.status_code == 400


def test_token_expires_on_the_emulator_clock(cx: Cx, emu: EmulatorThread) -> None:
    """Once the clock passes expires_in, the same token gets a 401 with {message}."""
    token = cx.token_response().json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(cx.api + "/scripts/search", headers=headers).status_code == 200
    emu.ctx.clock.advance(token["expires_in"] + 1)
    expired = httpx.get(cx.api + "/scripts/search", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]


def test_missing_token_is_401(cx: Cx) -> None:
    """No Authorization header: 401 in the API host's {message} shape."""
    response = httpx.get(cx.api + "/scripts/search")
    assert response.status_code == 401
    assert set(response.json()) == {"message"}


def test_discovery_names_the_api_endpoint(cx: Cx) -> None:
    """Discovery's api_endpoint is where /inContactAPI lives for this tenant."""
    response = httpx.get(f"{cx.base}/.well-known/cxone-configuration", params={"tenantId": "dev"})
    assert response.status_code == 200
    api = response.json()["api_endpoint"]
    assert api.rstrip("/") == cx.base
    assert {"area", "uhDomain", "acdDomain", "auth_endpoint"} <= set(response.json())
    searched = httpx.get(api + "/inContactAPI/services/v31.0/scripts/search", headers=cx.headers())
    assert searched.status_code == 200


def test_readonly_key_is_denied_a_save_naming_the_scope(cx: Cx) -> None:
    """The read-only key may read scripts but a save is 403 naming scripts:write."""
    script = cx.script("Main\\IVR_Main")
    assert cx.get("/scripts", key="readonly", scriptPath="Main\\IVR_Main").status_code == 200
    response = cx.save(script, key="readonly")
    assert response.status_code == 403
    assert "scripts:write" in response.json()["message"]
    history = cx.get("/scripts/historyByName", scriptPath="Main\\IVR_Main").json()
    assert len(history["versions"]) == 2  # nothing was saved


def test_api_root_spelling_and_version_are_tolerated(cx: Cx) -> None:
    """/incontactapi and /InContactAPI both work, any vNN.0 works, a bad version is 404."""
    headers = cx.headers()
    for root in ("/incontactapi/services/v23.0", "/InContactAPI/services/v30.0"):
        response = httpx.get(cx.base + root + "/scripts/search", headers=headers)
        assert response.status_code == 200, root
    bad = httpx.get(cx.base + "/inContactAPI/services/latest/scripts/search", headers=headers)
    assert bad.status_code == 404
    assert "latest" in bad.json()["message"]
