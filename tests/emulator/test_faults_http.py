"""Injected faults as a client sees them over real HTTP, in each vendor's own shape."""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from cxops.emulator import EmulatorThread

GENESYS_TOKEN = "/genesys/dev/oauth/token"
GENESYS_AUTH = ("genesys-dev-admin", "genesys-dev-admin-secret")


def _scenario(emu: EmulatorThread, body: dict[str, object]) -> None:
    r = httpx.post(f"{emu.url}/_emulator/scenario", json=body)
    assert r.status_code == 200, r.text


def _genesys_token(emu: EmulatorThread) -> httpx.Response:
    return httpx.post(
        emu.url + GENESYS_TOKEN, data={"grant_type": "client_credentials"}, auth=GENESYS_AUTH
    )


def test_error_fault_uses_each_vendors_body(emu: EmulatorThread) -> None:
    """A 503 fault answers in the vendor's error shape: Genesys code, Cognigy RFC 7807, CXone."""
    _scenario(emu, {"faults": [{"action": "error", "status": 503, "path": "*token"}]})
    g = _genesys_token(emu)
    assert g.status_code == 503
    assert g.json()["code"] == "service.unavailable" and g.json()["status"] == 503
    c = httpx.post(f"{emu.url}/cognigy/dev/auth/oauth2/token", data={})
    assert c.status_code == 503
    assert c.headers["content-type"].startswith("application/problem+json")
    assert {"type", "title", "status", "detail", "traceId"} <= set(c.json())
    x = httpx.post(f"{emu.url}/cxone/dev/auth/token", data={})
    assert x.status_code == 503 and "message" in x.json()


def test_429_shapes_and_retry_after(emu: EmulatorThread) -> None:
    """Genesys 429 has Retry-After seconds; CXone's has none; Cognigy's can be an HTTP-date."""
    _scenario(
        emu, {"faults": [{"action": "error", "status": 429, "retry_after": 3, "path": "*token"}]}
    )
    g = _genesys_token(emu)
    assert g.status_code == 429 and g.headers["retry-after"] == "3"
    assert g.json()["code"] == "too.many.requests.retry.after"
    x = httpx.post(f"{emu.url}/cxone/dev/auth/token", data={})
    assert x.status_code == 429 and "retry-after" not in x.headers
    _scenario(
        emu,
        {
            "retry_after_format": "http-date",
            "faults": [{"action": "error", "status": 429, "retry_after": 5}],
        },
    )
    c = httpx.post(f"{emu.url}/cognigy/dev/auth/oauth2/token", data={})
    when = parsedate_to_datetime(c.headers["retry-after"]).timestamp()
    assert 4 <= when - time.time() <= 7


def test_reset_drops_the_connection_mid_body(emu: EmulatorThread) -> None:
    """A reset fault closes the connection after the head: the client cannot read a body."""
    _scenario(emu, {"faults": [{"action": "reset", "calls": [1]}]})
    # The server drops the connection: the client sees it closed mid-body (FIN) or reset (RST),
    # depending on timing; both, and only those, mean no body could be read.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        _genesys_token(emu)
    assert _genesys_token(emu).status_code == 200  # only the first call was reset


def test_truncate_and_corrupt_break_the_json_but_not_http(emu: EmulatorThread) -> None:
    """Truncated and corrupted bodies arrive with a consistent length and fail to parse."""
    _scenario(
        emu, {"faults": [{"action": "truncate", "calls": [1]}, {"action": "corrupt", "calls": [2]}]}
    )
    for _ in range(2):
        r = _genesys_token(emu)
        assert r.status_code == 200
        assert int(r.headers["content-length"]) == len(r.content)
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.content)
    assert "access_token" in _genesys_token(emu).json()


def test_latency_delays_the_answer(emu: EmulatorThread) -> None:
    """A latency fault holds the response for the given real seconds."""
    _scenario(emu, {"faults": [{"action": "latency", "seconds": 0.3, "first": 1}]})
    start = time.monotonic()
    assert _genesys_token(emu).status_code == 200
    assert time.monotonic() - start >= 0.3


def test_faults_are_recorded_in_the_request_log(emu: EmulatorThread) -> None:
    """Every request, faulted or not, is in the log with the fault it received."""
    _scenario(emu, {"faults": [{"action": "error", "status": 502, "calls": [2]}]})
    for _ in range(3):
        _genesys_token(emu)
    rows = httpx.get(f"{emu.url}/_emulator/requests", params={"vendor": "genesys"}).json()
    assert [r["fault"] for r in rows["entries"]] == [None, "error", None]
    assert [r["status"] for r in rows["entries"]] == [200, 502, 200]
