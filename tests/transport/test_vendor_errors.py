"""Every vendor error body of VENDORS.md, as the emulator sends it, becomes the right error."""

from __future__ import annotations

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import (
    AuthError,
    Conflict,
    NotFound,
    PermissionDenied,
    ServerError,
    VendorError,
)
from cxops.transport import open_client
from cxops.transport.vendor_errors import error_from_response, missing_scope
from tests.transport.conftest import fast, scenario, settings_for

PATHS = {
    "genesys": "/api/v2/flows",
    "cognigy": "/new/v2.0/projects",
    "cxone": "/inContactAPI/services/v31.0/scripts/search",
}
GLOB = {"genesys": "/api/v2/*", "cognigy": "/new/v2.0/*", "cxone": "/inContactAPI/*"}


STATUSES = [
    (400, VendorError),
    (404, NotFound),
    (409, Conflict),
    (500, ServerError),
    (501, ServerError),
]


@pytest.mark.parametrize("vendor", sorted(PATHS))
async def test_status_maps_to_error_class_with_vendor_fields(
    emu: EmulatorThread, vendor: str
) -> None:
    """Each vendor's body for a status gives that class, its message, code and trace id."""
    async with open_client(settings_for(emu, vendor), fast(max_attempts=2)) as client:
        for status, cls in STATUSES:
            scenario(
                emu,
                faults=[
                    {
                        "path": GLOB[vendor],
                        "action": "error",
                        "status": status,
                        "message": "the thing went wrong",
                        "code": "thing.wrong",
                    }
                ],
            )
            with pytest.raises(VendorError) as caught:
                await client.get_json(PATHS[vendor])
            err = caught.value
            assert type(err) is cls
            assert err.status == status and err.vendor == vendor
            assert "the thing went wrong" in err.message
            assert err.hint
            if vendor != "cxone":  # CXone's {message} body has no code or trace id
                assert err.vendor_code == "thing.wrong"
                assert err.trace_id
            assert err.to_dict()["status"] == status


@pytest.mark.parametrize(
    ("vendor", "message", "scope"),
    [
        (
            "genesys",
            "You are missing the following permission(s): architect:flow:publish",
            "architect:flow:publish",
        ),
        ("cognigy", "Missing permission: snapshots:write", "snapshots:write"),
        ("cxone", "Insufficient scope: scripts:write is required", "scripts:write"),
    ],
)
async def test_403_names_the_missing_scope(
    emu: EmulatorThread, vendor: str, message: str, scope: str
) -> None:
    """A 403 becomes PermissionDenied naming the scope the vendor's message names."""
    scenario(
        emu, faults=[{"path": GLOB[vendor], "action": "error", "status": 403, "message": message}]
    )
    async with open_client(settings_for(emu, vendor), fast()) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.get_json(PATHS[vendor])
    assert caught.value.missing == scope
    assert caught.value.hint is not None and scope in caught.value.hint


async def test_readonly_client_publishing_gets_the_genesys_permission(
    emu: EmulatorThread,
) -> None:
    """The emulator's own scope check (not a fault) is parsed into PermissionDenied."""
    async with open_client(settings_for(emu, "genesys", who="readonly"), fast()) as client:
        flows = await client.get_json("/api/v2/flows", params={"pageSize": 1})
        with pytest.raises(PermissionDenied) as caught:
            await client.request(
                "POST",
                "/api/v2/flows/actions/publish",
                params={"flow": flows["entities"][0]["id"]},
            )
    assert caught.value.missing == "architect:flow:publish"
    assert caught.value.vendor_code == "missing.permissions"


async def test_rejected_token_twice_is_auth_error(emu: EmulatorThread) -> None:
    """A 401 that survives one refresh and replay is an AuthError."""
    scenario(emu, faults=[{"path": "/api/v2/flows", "action": "error", "status": 401}])
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        with pytest.raises(AuthError):
            await client.get_json("/api/v2/flows")
    assert emu.ctx.tokens.issued == 2


def _response(status: int, content: bytes, ctype: str = "application/json") -> httpx.Response:
    request = httpx.Request("GET", "https://api.example/api/v2/x?access_token=tok-abc")
    return httpx.Response(status, content=content, headers={"content-type": ctype}, request=request)


def test_non_json_error_body_keeps_the_status_and_a_short_text() -> None:
    """A proxy's HTML page still yields an error with the status and a trimmed snippet."""
    err = error_from_response("genesys", _response(502, b"<html>" + b"x" * 1000, "text/html"))
    assert isinstance(err, ServerError) and err.status == 502
    assert len(err.message) < 400
    assert "access_token" not in (err.url or "")


def test_cxone_auth_host_error_shape() -> None:
    """CXone's auth host {error,error_description} gives code and description."""
    err = error_from_response(
        "cxone", _response(400, b'{"error":"invalid_grant","error_description":"bad key"}')
    )
    assert err.vendor_code == "invalid_grant" and "bad key" in err.message


def test_genesys_details_and_errors_are_kept() -> None:
    """Genesys details[] and errors[] messages are appended to the message."""
    body = (
        b'{"message":"Validation failed","code":"bad.request","status":400,'
        b'"contextId":"c-1","details":[{"errorMessage":"name too long"}],'
        b'"errors":[{"message":"type missing"}]}'
    )
    err = error_from_response("genesys", _response(400, body))
    assert "name too long" in err.message and "type missing" in err.message
    assert err.trace_id == "c-1"


def test_missing_scope_prefers_structured_permissions() -> None:
    """messageParams.permissions wins over parsing the text."""
    assert missing_scope("whatever", {"permissions": "a:b:c"}) == "a:b:c"
    assert missing_scope("nothing to see", {}) is None
