"""The webhook receiver: Standard Webhooks signatures checked, duplicates folded, failures."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from cxops.emulator import EmulatorThread


def _send(
    emu: EmulatorThread,
    endpoint: str,
    secret: str,
    msg_id: str | None = None,
    payload: dict[str, object] | None = None,
    client: httpx.Client | None = None,
) -> httpx.Response:
    body = json.dumps(payload or {"type": "flow.export.completed"})
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    sig = Webhook(secret).sign(msg_id, now, body)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": sig,
        "content-type": "application/json",
    }
    url = f"{emu.url}/_emulator/webhooks/{endpoint}"
    if client is not None:
        return client.post(url, content=body, headers=headers)
    return httpx.post(url, content=body, headers=headers)


def test_signed_delivery_is_accepted_and_recorded(emu: EmulatorThread) -> None:
    """A correctly signed event is accepted (2xx) and listed with its payload."""
    secret = emu.ctx.config.webhook_secret
    assert _send(emu, "ci", secret, "msg_1", {"type": "t", "n": 1}).status_code == 204
    shown = httpx.get(f"{emu.url}/_emulator/webhooks/ci").json()
    assert [e["id"] for e in shown["events"]] == ["msg_1"]
    assert shown["events"][0]["payload"] == {"type": "t", "n": 1}


def test_bad_signature_is_rejected(emu: EmulatorThread) -> None:
    """An event signed with another secret is refused with 401 and not recorded."""
    other = "whsec_" + "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA=="
    assert _send(emu, "ci", other).status_code == 401
    shown = httpx.get(f"{emu.url}/_emulator/webhooks/ci").json()
    assert shown["rejected"] == 1 and shown["events"] == []


def test_duplicates_are_folded_by_webhook_id(emu: EmulatorThread) -> None:
    """Delivering the same webhook-id twice records one event with two deliveries."""
    secret = emu.ctx.config.webhook_secret
    _send(emu, "ci", secret, "msg_dup")
    _send(emu, "ci", secret, "msg_dup")
    shown = httpx.get(f"{emu.url}/_emulator/webhooks/ci").json()
    assert len(shown["events"]) == 1 and shown["duplicates"] == 1
    assert shown["events"][0]["deliveries"] == 2


def test_failure_share_and_fixed_status(emu: EmulatorThread) -> None:
    """fail_rate fails about that share of deliveries; a fixed 410 answers every time."""
    secret = emu.ctx.config.webhook_secret
    httpx.put(f"{emu.url}/_emulator/webhooks/flaky", json={"fail_rate": 0.3})
    with httpx.Client() as client:
        codes = [_send(emu, "flaky", secret, client=client).status_code for _ in range(200)]
    failed = codes.count(503)
    assert 35 <= failed <= 90 and codes.count(204) == 200 - failed
    httpx.put(f"{emu.url}/_emulator/webhooks/gone", json={"status": 410})
    assert _send(emu, "gone", secret).status_code == 410
