"""1,000 mixed calls on all three vendors under 20% injected faults, and a total outage."""

from __future__ import annotations

import asyncio
import random

import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import NetworkError, ServerError
from cxops.transport import VendorClient, open_client
from tests.transport.conftest import fast, scenario, seen, settings_for

CXONE = "/inContactAPI/services/v31.0"
CALLS = {
    "genesys": ["/api/v2/flows"],
    "cognigy": ["/new/v2.0/projects"],
    "cxone": [f"{CXONE}/scripts/search"],
}
API = {"genesys": "/api/v2/*", "cognigy": "/new/v2.0/*", "cxone": "/inContactAPI/*"}


def faults_20_percent() -> list[dict[str, object]]:
    """429, 503, 502, resets and slow answers (timeouts): together ~20% of API calls."""
    rules: list[dict[str, object]] = []
    for vendor, path in API.items():
        rules += [
            {
                "vendor": vendor,
                "path": path,
                "action": "error",
                "status": 429,
                "rate": 0.05,
                "retry_after": 1,
            },
            {"vendor": vendor, "path": path, "action": "error", "status": 503, "rate": 0.05},
            {"vendor": vendor, "path": path, "action": "error", "status": 502, "rate": 0.02},
            {"vendor": vendor, "path": path, "action": "reset", "rate": 0.05},
            {"vendor": vendor, "path": path, "action": "latency", "seconds": 1.5, "rate": 0.04},
        ]
    return rules


@pytest.mark.slow
async def test_1000_mixed_calls_under_20_percent_faults(emu: EmulatorThread) -> None:
    """Every one of 1,000 calls succeeds, at no more than 1.3 attempts per call on average."""
    scenario(emu, seed=11, faults=faults_20_percent())
    options = fast(read_timeout=0.5, concurrency=32, max_connections=64, deadline=30)
    rng = random.Random(3)
    async with (
        open_client(settings_for(emu, "genesys"), options) as genesys,
        open_client(settings_for(emu, "cognigy"), options) as cognigy,
        open_client(settings_for(emu, "cxone"), options) as cxone,
    ):
        clients: dict[str, VendorClient] = {"genesys": genesys, "cognigy": cognigy, "cxone": cxone}
        plan = [rng.choice(sorted(CALLS)) for _ in range(1000)]
        results = await asyncio.gather(
            *(
                clients[v].get_json(CALLS[v][0], params={"top": 5} if v == "cxone" else None)
                for v in plan
            ),
            return_exceptions=True,
        )
        attempts = sum(c.attempts for c in clients.values())
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    api_requests = [
        r
        for v in API
        for r in seen(emu, v)
        if not r["path"].endswith(("token", "cxone-configuration"))
    ]
    faulted = [r for r in api_requests if r["fault"] in ("error", "reset", "latency")]
    assert len(api_requests) >= 1000
    assert 0.12 <= len(faulted) / len(api_requests) <= 0.28  # the storm really happened
    print(f"attempts/call={attempts / 1000:.3f} faulted={len(faulted) / len(api_requests):.3f}")
    assert attempts / 1000 <= 1.3
    assert len(api_requests) / 1000 <= 1.3


async def test_total_outage_on_every_vendor_stays_in_budget(emu: EmulatorThread) -> None:
    """With 100% failures, each client's attempts stay within its budget; errors say why."""
    rules = [{"vendor": v, "path": p, "action": "error", "status": 503} for v, p in API.items()]
    rules.append({"vendor": "cxone", "path": "/inContactAPI/*", "action": "reset"})
    scenario(emu, faults=rules)
    options = fast(budget_ratio=0.5, budget_reserve=10)
    for vendor in API:
        async with open_client(settings_for(emu, vendor), options) as client:
            results = await asyncio.gather(
                *(client.get_json(CALLS[vendor][0]) for _ in range(40)), return_exceptions=True
            )
            assert client.attempts <= 40 + 10 + 0.5 * 40
        assert all(isinstance(r, ServerError | NetworkError) for r in results), results[:3]
        text = str(results[-1])
        assert "503" in text or "dropped" in text
        assert "budget" in text or "gave up" in text
