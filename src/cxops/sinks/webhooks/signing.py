"""Standard Webhooks signatures, made with the reference ``standardwebhooks`` package.

``webhook-signature`` carries one ``v1,<base64>`` per secret, space-separated, so that during a
key rotation receivers holding either the old or the new secret accept the message. Secrets come
from an environment variable whose NAME the store keeps; its value may hold several secrets
separated by spaces or commas (new first). Every secret read is registered with
:func:`cxops.logs.register_secret`, so no log line or error can show it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from math import floor

from standardwebhooks.webhooks import Webhook

from cxops import logs
from cxops.errors import ConfigError

__all__ = ["load_secrets", "parse_secrets", "signature_headers"]


def parse_secrets(value: str) -> list[str]:
    """Split an environment value into ``whsec_`` secrets; each must decode as base64."""
    secrets = [s for s in re.split(r"[\s,]+", value.strip()) if s]
    for secret in secrets:
        logs.register_secret(secret)
    for secret in secrets:
        raw = secret.removeprefix("whsec_")
        try:
            # The package's own decoding skips invalid characters; be strict here instead.
            key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except binascii.Error:
            key = b""
        if not key:
            raise ConfigError(
                "a webhook secret is not valid base64 (expected whsec_<base64>)",
                hint='generate one with: python -c "import base64,os;'
                "print('whsec_'+base64.b64encode(os.urandom(24)).decode())\"",
            )
    return secrets


def load_secrets(env_name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The secrets in environment variable ``env_name``; ConfigError when unset or empty."""
    value = (environ if environ is not None else os.environ).get(env_name, "")
    secrets = parse_secrets(value) if value else []
    if not secrets:
        raise ConfigError(
            f"the webhook secret variable {env_name} is not set",
            hint=f"export {env_name}=whsec_... before delivering",
        )
    return secrets


def signature_headers(
    msg_id: str, at: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for one attempt."""
    signatures = " ".join(Webhook(s).sign(msg_id, at, body) for s in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": signatures,
    }
