"""Retries against the emulator's faults: Retry-After, deadlines, budgets, unsafe requests."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import EmulatorThread
from cxops.errors import NetworkError, ProtocolError, RateLimited, ServerError
from cxops.transport import ConnectionSettings, connect, open_client
from cxops.transport.retry import parse_retry_after
from tests.transport.conftest import Captured, fast, scenario, seen, settings_for

FLOWS = "/api/v2/flows"


def api_calls(emu: EmulatorThread, vendor: str, path: str) -> list[dict[str, object]]:
    return [r for r in seen(emu, vendor) if r["path"] == path]


async def test_no_retry_before_retry_after_seconds(
    emu: EmulatorThread, debug_log: Captured
) -> None:
    """After a Genesys 429 with Retry-After: 1, the next attempt arrives at least 1 s later."""
    scenario(
        emu,
        faults=[{"path": FLOWS, "action": "error", "status": 429, "retry_after": 1, "first": 1}],
    )
    async with open_client(settings_for(emu, "genesys"), fast(retry_after_scale=1)) as client:
        await client.get_json(FLOWS)
    first, second = api_calls(emu, "genesys", FLOWS)
    assert first["status"] == 429 and second["status"] == 200
    assert float(second["wall"]) - float(first["wall"]) >= 1.0  # type: ignore[arg-type]
    assert "api/v2/flows: 429; retry 1 in 1.00s" in debug_log.text  # the wait is logged


async def test_no_retry_before_retry_after_http_date(emu: EmulatorThread) -> None:
    """A Cognigy 429 whose Retry-After is an HTTP-date is honoured to the second."""
    scenario(
        emu,
        retry_after_format="http-date",
        faults=[
            {
                "path": "/new/v2.0/projects",
                "action": "error",
                "status": 429,
                "retry_after": 0.5,
                "first": 1,
            }
        ],
    )
    async with open_client(settings_for(emu, "cognigy"), fast(retry_after_scale=1)) as client:
        await client.get_json("/new/v2.0/projects")
    first, second = api_calls(emu, "cognigy", "/new/v2.0/projects")
    assert first["status"] == 429 and second["status"] == 200
    # The date has whole seconds and was rounded up by the emulator: the wait ends on it.
    assert float(second["wall"]) >= int(float(first["wall"]) + 0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("-1", None),
        ("soon", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        ("1e400", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 99 Foo 2015 07:28:00 GMT", None),
    ],
)
def test_retry_after_values_parse_or_are_refused(value: str | None, expected: float | None) -> None:
    """Seconds and past dates parse; garbage, negative and non-finite values give None."""
    assert parse_retry_after(value) == expected


def test_retry_after_future_date_counts_from_now() -> None:
    """A future HTTP-date gives the seconds until then."""
    now = 1_700_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30)


def odd_vendor(retry_after: list[str]) -> Starlette:
    """A tiny vendor whose 503s carry the given Retry-After values, then succeeds."""
    calls: list[float] = []

    async def flows(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) <= len(retry_after):
            return JSONResponse(
                {"message": "busy", "code": "service.unavailable", "status": 503},
                503,
                headers={"Retry-After": retry_after[len(calls) - 1]},
            )
        return JSONResponse({"entities": []})

    async def token(request: Request) -> Response:
        return JSONResponse({"access_token": "tok-odd-vendor", "expires_in": 3600})

    app = Starlette(
        routes=[Route("/api/v2/flows", flows), Route("/oauth/token", token, methods=["POST"])]
    )
    app.state.calls = calls
    return app


ODD = ConnectionSettings(
    vendor="genesys", base_url="http://odd.test", client_id="id", client_secret="odd-secret"
)


async def test_garbage_and_negative_retry_after_fall_back_to_backoff() -> None:
    """Garbage and negative Retry-After values neither crash nor stall: backoff is used."""
    app = odd_vendor(["soon", "-5", "Fri, 99 Nov"])
    transport = httpx.ASGITransport(app=app)
    async with await connect(
        ODD, fast(retry_after_scale=1, backoff_max=0.05), transport=transport
    ) as client:
        started = time.monotonic()
        await client.get_json(FLOWS)
    assert len(app.state.calls) == 4
    assert time.monotonic() - started < 1.0


async def test_huge_retry_after_past_the_deadline_fails_at_once() -> None:
    """A Retry-After beyond the deadline stops at once with an error saying so."""
    app = odd_vendor(["999999"])
    async with await connect(
        ODD, fast(retry_after_scale=1, deadline=3), transport=httpx.ASGITransport(app=app)
    ) as client:
        started = time.monotonic()
        with pytest.raises(ServerError) as caught:
            await client.get_json(FLOWS)
    assert time.monotonic() - started < 0.5
    assert "asked to wait 120.0s" in str(caught.value)  # clamped to retry_after_max
    assert "deadline" in str(caught.value)


async def test_huge_retry_after_is_clamped_when_the_deadline_allows() -> None:
    """Retry-After is clamped to retry_after_max, so a huge value waits only the clamp."""
    app = odd_vendor(["86400"])
    options = fast(retry_after_scale=1, retry_after_max=0.2, deadline=5)
    async with await connect(ODD, options, transport=httpx.ASGITransport(app=app)) as client:
        await client.get_json(FLOWS)
    first, second = app.state.calls
    assert 0.2 <= second - first < 1.0


@pytest.mark.parametrize("deadline", [0.6, 1.3])
async def test_deadline_is_never_overrun_by_slow_answers(
    emu: EmulatorThread, deadline: float
) -> None:
    """Slow answers and retries together never run past the call's deadline."""
    scenario(emu, faults=[{"path": FLOWS, "action": "latency", "seconds": 0.45}])
    options = fast(read_timeout=0.3, deadline=deadline)
    async with open_client(settings_for(emu, "genesys"), options) as client:
        started = time.monotonic()
        with pytest.raises(NetworkError) as caught:
            await client.get_json(FLOWS)
        elapsed = time.monotonic() - started
    assert elapsed <= deadline + 0.1
    assert "timed out" in str(caught.value) or "deadline" in str(caught.value)


async def test_deadline_bounds_a_storm_of_503s(emu: EmulatorThread) -> None:
    """A vendor answering 503 forever gets retried until the deadline, not past it."""
    scenario(emu, faults=[{"path": FLOWS, "action": "error", "status": 503}])
    options = fast(backoff_initial=0.1, backoff_max=0.3, max_attempts=100, deadline=1.0)
    async with open_client(settings_for(emu, "genesys"), options) as client:
        started = time.monotonic()
        with pytest.raises(ServerError) as caught:
            await client.get_json(FLOWS)
    assert time.monotonic() - started <= 1.1
    assert "503" in str(caught.value) and "deadline" in str(caught.value)


async def test_total_outage_stays_within_the_retry_budget(emu: EmulatorThread) -> None:
    """With 100% failures, attempts stay within calls + reserve + ratio * calls; errors say why."""
    scenario(emu, faults=[{"path": FLOWS, "action": "error", "status": 503}])
    options = fast(budget_ratio=0.2, budget_reserve=5, max_attempts=6)
    async with open_client(settings_for(emu, "genesys"), options) as client:
        results = await asyncio.gather(
            *(client.get_json(FLOWS) for _ in range(50)), return_exceptions=True
        )
    assert all(isinstance(r, ServerError) for r in results)
    attempts = len(api_calls(emu, "genesys", FLOWS))
    assert 50 < attempts <= 50 + 5 + 0.2 * 50
    messages = {str(r).split("; ", 1)[1] for r in results if isinstance(r, ServerError)}
    assert any("retry budget" in m for m in messages)
    assert all("503" in str(r) for r in results)


async def test_throttling_that_never_ends_is_rate_limited_error(emu: EmulatorThread) -> None:
    """429 forever ends as RateLimited naming the attempts made."""
    scenario(emu, faults=[{"path": FLOWS, "action": "error", "status": 429, "retry_after": 1}])
    async with open_client(settings_for(emu, "genesys"), fast(max_attempts=3)) as client:
        with pytest.raises(RateLimited, match="gave up after 3 attempts"):
            await client.get_json(FLOWS)


async def test_post_without_idempotency_key_is_not_retried(emu: EmulatorThread) -> None:
    """A plain POST that got a 503 is not repeated; with an idempotency key it is."""
    scenario(
        emu,
        faults=[
            {"path": FLOWS, "method": "POST", "action": "error", "status": 503, "calls": [1, 2]}
        ],
    )
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        with pytest.raises(ServerError):
            await client.request("POST", FLOWS, json={"name": "x"})
        assert len([r for r in api_calls(emu, "genesys", FLOWS) if r["method"] == "POST"]) == 1
        response = await client.request(
            "POST", FLOWS, json={"name": "x"}, idempotency_key="run-1-step-2", accept=(405,)
        )
    posts = [r for r in api_calls(emu, "genesys", FLOWS) if r["method"] == "POST"]
    assert response.status_code == 405
    assert [r["idempotency_key"] for r in posts] == [None, "run-1-step-2", "run-1-step-2"]


async def test_reset_during_a_plain_post_says_it_was_not_repeated(emu: EmulatorThread) -> None:
    """A connection dropped mid-answer on a POST is a NetworkError saying why it was not retried."""
    scenario(emu, faults=[{"path": FLOWS, "method": "POST", "action": "reset"}])
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        with pytest.raises(NetworkError, match="might duplicate"):
            await client.request("POST", FLOWS, json={})


async def test_resets_on_reads_are_retried(emu: EmulatorThread) -> None:
    """A GET whose connection drops mid-body is retried and succeeds."""
    scenario(emu, faults=[{"path": FLOWS, "action": "reset", "calls": [1, 2]}])
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        data = await client.get_json(FLOWS)
    assert "entities" in data
    assert [r["fault"] for r in api_calls(emu, "genesys", FLOWS)] == ["reset", "reset", None]


@pytest.mark.parametrize("action", ["truncate", "corrupt"])
async def test_broken_bodies_are_protocol_errors(emu: EmulatorThread, action: str) -> None:
    """A truncated or corrupted JSON body is a ProtocolError naming the call."""
    scenario(emu, faults=[{"path": "/new/v2.0/projects", "action": action}])
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        with pytest.raises(ProtocolError, match=r"cognigy GET .*/new/v2\.0/projects"):
            await client.get_json("/new/v2.0/projects")


async def test_every_call_carries_user_agent_and_request_id(emu: EmulatorThread) -> None:
    """Calls send User-Agent cxops/<version> and a fresh X-Request-ID (seen by a real server)."""
    seen_headers: list[dict[str, str]] = []

    async def echo(request: Request) -> Response:
        seen_headers.append(dict(request.headers))
        return JSONResponse({"entities": []})

    # A Cognigy client asks Cognigy's API (/new/v2.0): the client refuses any other prefix.
    app = Starlette(routes=[Route("/new/v2.0/flows", echo)])
    from cxops import __version__

    settings = ConnectionSettings(vendor="cognigy", base_url="http://odd.test", api_key="k-1234")
    async with await connect(settings, fast(), transport=httpx.ASGITransport(app=app)) as client:
        await client.get_json("/new/v2.0/flows")
        await client.get_json("/new/v2.0/flows")
    ids = [h["x-request-id"] for h in seen_headers]
    assert len(set(ids)) == 2
    assert all(h["user-agent"] == f"cxops/{__version__}" for h in seen_headers)


async def test_foreign_hosts_never_receive_credentials() -> None:
    """An absolute URL on another host (a presigned upload) is sent without Authorization."""
    headers: list[dict[str, str]] = []

    async def echo(request: Request) -> Response:
        headers.append({"host": request.url.hostname or "", **dict(request.headers)})
        return JSONResponse({"access_token": "tok-foreign-test", "entities": []})

    app = Starlette(
        routes=[
            Route("/api/v2/flows", echo),
            Route("/upload", echo, methods=["PUT"]),
            Route("/oauth/token", echo, methods=["POST"]),
        ]
    )
    async with await connect(ODD, fast(), transport=httpx.ASGITransport(app=app)) as client:
        await client.get_json(FLOWS)
        await client.request("PUT", "http://s3.elsewhere.test/upload", content=b"zip")
    by_host = {
        h["host"]: h
        for h in headers
        if h["host"] != "odd.test" or "bearer" in h.get("authorization", "").lower()
    }
    assert by_host["odd.test"]["authorization"] == "Bearer tok-foreign-test"
    assert "authorization" not in by_host["s3.elsewhere.test"]
