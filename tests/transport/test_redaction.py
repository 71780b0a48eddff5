"""No secret, Basic credential or token in DEBUG logs (httpx/httpcore too) or any raised error."""

from __future__ import annotations

import base64
import logging
import traceback

import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import CxopsError
from cxops.transport import open_client
from tests.transport.conftest import Captured, fast, scenario, settings_for

FLOWS = "/api/v2/flows"


def _error_texts(exc: BaseException) -> str:
    parts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    if isinstance(exc, CxopsError):
        parts += [str(exc.to_dict()), exc.hint or ""]
    return "\n".join(parts)


FAILURE_PATHS = [
    ("genesys", [{"path": FLOWS, "action": "error", "status": 503}]),
    (
        "genesys",
        [
            {
                "path": FLOWS,
                "action": "error",
                "status": 403,
                "message": "You are missing the following permission(s): architect:flow:view",
            }
        ],
    ),
    ("genesys", [{"path": FLOWS, "action": "reset"}]),
    ("genesys", [{"path": FLOWS, "action": "corrupt"}]),
    ("genesys", [{"path": "/oauth/token", "action": "error", "status": 503}]),
    ("genesys", [{"path": FLOWS, "action": "latency", "seconds": 0.4}]),
    (
        "cognigy",
        [{"path": "/new/v2.0/projects", "action": "error", "status": 429, "retry_after": 1}],
    ),
    ("cognigy", [{"path": "/new/v2.0/projects", "action": "truncate"}]),
    ("cognigy", [{"path": "/auth/oauth2/token", "action": "error", "status": 500}]),
    ("cxone", [{"path": "/inContactAPI/*", "action": "error", "status": 404}]),
    ("cxone", [{"path": "/auth/token", "action": "reset"}]),
]
PATHS = {
    "genesys": FLOWS,
    "cognigy": "/new/v2.0/projects",
    "cxone": "/inContactAPI/services/v31.0/scripts/search",
}


@pytest.mark.parametrize(("vendor", "faults"), FAILURE_PATHS)
async def test_no_secret_in_logs_or_errors_on_failure_paths(
    emu: EmulatorThread, debug_log: Captured, vendor: str, faults: list[dict[str, object]]
) -> None:
    """Across failure paths, the secret, its Basic form and the token appear nowhere."""
    settings = settings_for(emu, vendor)
    assert settings.client_secret is not None
    secret = settings.client_secret.get_secret_value()
    canaries = {secret, base64.b64encode(f"{settings.client_id}:{secret}".encode()).decode()}
    if settings.access_key_secret is not None:
        canaries.add(settings.access_key_secret.get_secret_value())
    async with open_client(settings, fast(read_timeout=0.2, max_attempts=3)) as client:
        await client.get_json(PATHS[vendor], params={"top": 1} if vendor == "cxone" else None)
        canaries.add(client.http.auth._token)  # type: ignore[union-attr]
        emu.ctx.tokens.revoke_all()  # the failing call also goes through a 401 and a refresh
        scenario(emu, faults=faults)
        with pytest.raises(CxopsError) as caught:
            await client.get_json(PATHS[vendor], params={"top": 1} if vendor == "cxone" else None)
        canaries.add(client.http.auth._token)  # type: ignore[union-attr]
    # Were a library to log them (httpx 0.28 does not), the handler would still scrub them.
    for canary in canaries:
        logging.getLogger("httpcore.http11").debug("headers: %s", canary)
    texts = (
        debug_log.text + "\n" + _error_texts(caught.value) + repr(settings) + repr(client.http.auth)
    )
    assert "HTTP Request" in debug_log.text  # httpx's own DEBUG/INFO lines were captured
    assert "send_request_headers" in debug_log.text  # and httpcore's
    for canary in canaries:
        assert canary and canary not in texts


async def test_wrong_secret_never_echoes(emu: EmulatorThread, debug_log: Captured) -> None:
    """A refused credential is named as refused, never shown, in logs or the error."""
    canary = "canary-Secret-0123456789"
    settings = settings_for(emu, "cxone", access_key_secret=canary)
    async with open_client(settings, fast()) as client:
        with pytest.raises(CxopsError) as caught:
            await client.get_json(PATHS["cxone"])
    text = debug_log.text + _error_texts(caught.value)
    assert "token request refused" in str(caught.value)
    assert canary not in text
    assert base64.b64encode(canary.encode()).decode()[:12] not in text
