"""Token endpoints shared by the vendors: client credentials with Basic or form client auth."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request

from cxops.emulator.context import EmulatorContext
from cxops.emulator.tokens import Credential


async def client_from_request(request: Request) -> tuple[str | None, str | None, dict[str, str]]:
    """``(client_id, client_secret, form)`` from Basic auth or the form body (RFC 6749 §2.3.1)."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None, form
        client_id, _, secret = raw.partition(":")
        return client_id, secret, form
    return form.get("client_id"), form.get("client_secret"), form


def match_client(
    ctx: EmulatorContext, vendor: str, tenant: str, client_id: str | None, secret: str | None
) -> Credential | None:
    if not client_id or secret is None:
        return None
    cred = ctx.tokens.find(vendor, tenant, client_id=client_id)
    return cred if cred is not None and cred.client_secret == secret else None


def requested_scopes(form: dict[str, str]) -> frozenset[str] | None:
    scope = form.get("scope", "").strip()
    return frozenset(scope.split()) if scope else None
