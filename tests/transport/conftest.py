"""Fixtures for transport tests: settings for the emulator's tenants and fast options."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.logs import RedactFilter, TextFormatter
from cxops.transport import ConnectionSettings, TransportOptions


def settings_for(
    emu: EmulatorThread, vendor: str, tenant: str = "dev", who: str = "admin", **over: Any
) -> ConnectionSettings:
    """Connection settings for one of the emulator's fixture credentials."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"][vendor][tenant]
    cred = info["credentials"][who]
    fields: dict[str, Any] = {"vendor": vendor, "base_url": info["base_url"]}
    if vendor == "cxone":
        fields.update(
            auth_url=info["auth_url"],
            tenant_id=tenant,
            client_id=cred["client_id"],
            client_secret=cred["client_secret"],
            access_key_id=cred["access_key_id"],
            access_key_secret=cred["access_key_secret"],
        )
    else:
        fields.update(client_id=cred["client_id"], client_secret=cred["client_secret"])
    fields.update(over)
    return ConnectionSettings(**fields)


def fast(**kw: Any) -> TransportOptions:
    """Options that keep tests quick: no pacing to speak of, small backoff."""
    base: dict[str, Any] = {
        "rate": 10_000,
        "burst": 10_000,
        "concurrency": 256,
        "max_connections": 256,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "no_hint_backoff": 0.05,
        "retry_after_scale": 0.01,
        "deadline": 20,
    }
    base.update(kw)
    return TransportOptions(**base)


def scenario(emu: EmulatorThread, **body: Any) -> None:
    """Load a fault scenario into the running emulator."""
    response = httpx.post(f"{emu.url}/_emulator/scenario", json=body)
    assert response.status_code == 200, response.text


def seen(emu: EmulatorThread, vendor: str) -> list[dict[str, Any]]:
    """Every request the emulator saw for ``vendor``."""
    rows: list[dict[str, Any]] = httpx.get(
        f"{emu.url}/_emulator/requests", params={"vendor": vendor}
    ).json()["entries"]
    return rows


class Captured(logging.Handler):
    """A DEBUG handler that formats every record through cxops' RedactFilter."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(RedactFilter())
        self.setFormatter(TextFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def debug_log() -> Iterator[Captured]:
    """Everything logged at DEBUG (httpx and httpcore included), as the cxops handler shows it."""
    handler = Captured()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)
