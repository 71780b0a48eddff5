"""The dashboard tests' data: ``make demo``'s exports and promotions, made once per session."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from cxops.emulator import EmulatorThread
from tests.web.demo_data import DemoData, make_demo_data


@pytest.fixture(scope="session")
def demo_data(
    emulator_server: EmulatorThread, tmp_path_factory: pytest.TempPathFactory
) -> DemoData:
    """Every fixture tenant exported, a promotion and a rolled-back promotion (SQLite store)."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("CXOPS_") and k != "CXOPS_TEST_PG_URL"]:
        del os.environ[key]
    emulator_server.ctx.reset()
    emulator_server.ctx.clock.set_speed(1.0)
    try:
        data = make_demo_data(emulator_server, tmp_path_factory.mktemp("demo"))
        data.secrets.update(_emulator_secrets(emulator_server))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        emulator_server.ctx.reset()
        emulator_server.ctx.clock.set_speed(1.0)
    return data


def _emulator_secrets(emu: EmulatorThread) -> set[str]:
    """Every credential the emulator hands out: none may appear on a page or in an answer."""
    found: set[str] = {emu.ctx.config.webhook_secret}
    vendors = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, str) and any(
            word in key for word in ("secret", "api_key", "password", "key_secret")
        ):
            found.add(value)

    for tenants in vendors.values():
        for info in tenants.values():
            walk(info.get("credentials", {}))
    return {s for s in found if len(s) >= 8}


@pytest.fixture
def repos(demo_data: DemoData) -> tuple[Path, ...]:
    return demo_data.repos
