"""Tokens, expiry on the emulator clock, tenant isolation and per-client rate limits."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread


def _token(emu: EmulatorThread, tenant: str = "dev", who: str = "admin") -> str:
    r = httpx.post(
        f"{emu.url}/genesys/{tenant}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(f"genesys-{tenant}-{who}", f"genesys-{tenant}-{who}-secret"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    return str(body["access_token"])


def _flows(emu: EmulatorThread, token: str, tenant: str = "dev") -> httpx.Response:
    return httpx.get(
        f"{emu.url}/genesys/{tenant}/api/v2/flows", headers={"Authorization": f"Bearer {token}"}
    )


def test_wrong_secret_is_refused(emu: EmulatorThread) -> None:
    """A wrong client secret gets no token."""
    r = httpx.post(
        f"{emu.url}/genesys/dev/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("genesys-dev-admin", "wrong"),
    )
    assert r.status_code in (400, 401)
    assert "access_token" not in r.json()


def test_token_expires_on_the_emulator_clock(emu: EmulatorThread) -> None:
    """A token works until the clock passes its lifetime, then answers 401."""
    token = _token(emu)
    assert _flows(emu, token).status_code == 200
    emu.ctx.clock.advance(emu.ctx.tokens.ttl + 1)
    r = _flows(emu, token)
    assert r.status_code == 401 and r.json()["status"] == 401


def test_token_of_one_tenant_is_refused_by_another(emu: EmulatorThread) -> None:
    """Tenants are isolated: a dev token cannot read prod."""
    assert _flows(emu, _token(emu, "dev"), tenant="prod").status_code == 401


def test_missing_token_is_401_in_vendor_shape(emu: EmulatorThread) -> None:
    """No Authorization header: Genesys' authentication.required body."""
    r = httpx.get(f"{emu.url}/genesys/dev/api/v2/flows")
    assert r.status_code == 401 and r.json()["code"] == "authentication.required"


def test_rate_limit_is_per_client_with_retry_after(emu: EmulatorThread) -> None:
    """Past its burst a client gets 429 with Retry-After; another client is unaffected.

    One token per 100 s: a loaded machine taking seconds for these calls refills none.
    """
    limits = {"rate_limits": {"genesys": {"rate": 0.01, "burst": 3}}}
    r = httpx.post(f"{emu.url}/_emulator/scenario", json=limits)
    assert r.status_code == 200
    admin, reader = _token(emu, who="admin"), _token(emu, who="readonly")
    codes = [_flows(emu, admin).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = _flows(emu, admin)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["inin-ratelimit-allowed"] == "3"
    assert _flows(emu, reader).status_code == 200
