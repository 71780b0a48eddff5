"""Signed webhooks from the outbox, delivered over real HTTP to the emulator's receiver."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cxops.emulator import EmulatorThread
from cxops.errors import ConfigError
from cxops.sinks.webhooks import SCHEDULE, Relay, load_secrets, next_delay, signature_headers
from cxops.store import Store

OLD = "whsec_" + "b2xkLXNlY3JldC1vbGQtc2VjcmV0LTAwMDE="
NEW = "whsec_" + "bmV3LXNlY3JldC1uZXctc2VjcmV0LTAwMDI="
ENV = "CXOPS_TEST_WEBHOOK_SECRET"
FAST = 1e-5  # the whole retry schedule (~27.6 h) in about a second


def _hook(emu: EmulatorThread, **config: object) -> str:
    """A fresh receiver endpoint (configured with ``config``) and its URL."""
    name = f"hook-{uuid.uuid4().hex[:8]}"
    url = f"{emu.url}/_emulator/webhooks/{name}"
    if config:
        httpx.put(url, json=config).raise_for_status()
    return url


def _arrived(url: str) -> dict[str, object]:
    doc: dict[str, object] = httpx.get(url).json()
    return doc


def _emit(store: Store, n: int) -> list[str]:
    ids = []
    for i in range(n):
        with store.transaction() as tx:
            ids.append(tx.emit("flow.export.completed", {"n": i, "flow": f"f{i}"}).id)
    return ids


def test_signatures_verify_with_the_reference_package() -> None:
    """Our headers verify with standardwebhooks under each rotated secret, and not another."""
    at = datetime.now(UTC)
    body = '{"data":{"n":1},"type":"t"}'
    headers = signature_headers("msg_1", at, body, [NEW, OLD])
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    assert [s.split(",")[0] for s in headers["webhook-signature"].split(" ")] == ["v1", "v1"]
    for secret in (NEW, OLD):
        assert Webhook(secret).verify(body, headers) == {"data": {"n": 1}, "type": "t"}
    other = "whsec_" + "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA=="
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(NEW).verify(body + " ", headers)


def test_schedule_is_the_standard_one_and_scales() -> None:
    """Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then dead; delays scale."""
    assert SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    assert next_delay(1) == timedelta(seconds=5)
    assert next_delay(7) == timedelta(hours=10)
    assert next_delay(8) is None
    assert next_delay(2, scale=0.001) == timedelta(seconds=0.3)


def test_secret_variable_missing_or_invalid_is_a_config_error() -> None:
    """An unset variable or a non-base64 secret is a config error that never shows the value."""
    with pytest.raises(ConfigError, match=ENV):
        load_secrets(ENV, {})
    bad = "whsec_not*base64*at*all!"
    with pytest.raises(ConfigError) as info:
        load_secrets(ENV, {ENV: bad})
    assert bad not in info.value.message and bad not in (info.value.hint or "")
    assert load_secrets(ENV, {ENV: f"{NEW} {OLD}"}) == [NEW, OLD]


def test_endpoint_stores_the_variable_name_not_a_secret(store: Store) -> None:
    """register() refuses a secret passed where a variable name belongs."""
    with pytest.raises(ConfigError, match="NAME"):
        store.outbox.register("http://127.0.0.1:9/h", NEW)
    with pytest.raises(ConfigError):
        store.outbox.register("ftp://127.0.0.1:9/h", ENV)
    assert store.outbox.register("http://127.0.0.1:9/h", ENV).secret_env == ENV


async def test_every_event_arrives_despite_30_percent_failures(
    store: Store, emu: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the receiver failing 30% of deliveries, every event arrives at least once, verified."""
    monkeypatch.setenv(ENV, emu.ctx.config.webhook_secret)
    url = _hook(emu, fail_rate=0.3)
    store.outbox.register(url, ENV)
    ids = _emit(store, 40)
    report = await Relay(store, scale=FAST).drain(deadline=30)
    shown = _arrived(url)
    events = shown["events"]
    assert isinstance(events, list)
    assert sorted(e["id"] for e in events) == sorted(ids)
    assert {e["id"]: e["payload"]["data"]["n"] for e in events} == {i: n for n, i in enumerate(ids)}
    assert shown["rejected"] == 0  # every signature verified with the reference package
    assert isinstance(shown["failed"], int) and shown["failed"] > 0
    assert report.delivered == 40 and report.retrying == shown["failed"]
    assert store.outbox.counts()["delivered"] == 40


async def test_gone_disables_the_endpoint(
    store: Store, emu: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """410 Gone disables the endpoint: its pending deliveries stop and new events skip it."""
    monkeypatch.setenv(ENV, emu.ctx.config.webhook_secret)
    gone = _hook(emu, status=410)
    alive = _hook(emu)
    store.outbox.register(gone, ENV)
    store.outbox.register(alive, ENV)
    _emit(store, 3)
    relay = Relay(store, scale=FAST, concurrency=1, batch=1)
    await relay.drain(deadline=10)
    assert _arrived(gone)["attempts"] == 1  # the first 410 stopped the rest
    (disabled,) = [e for e in store.outbox.endpoints() if e.url == gone]
    assert disabled.disabled_at is not None and "410" in (disabled.disabled_reason or "")
    assert {d.state for d in store.outbox.deliveries() if d.endpoint.url == gone} == {"disabled"}
    assert len(_arrived(alive)["events"]) == 3  # type: ignore[arg-type]
    _emit(store, 1)
    await relay.drain(deadline=10)
    assert _arrived(gone)["attempts"] == 1
    assert len(_arrived(alive)["events"]) == 4  # type: ignore[arg-type]


async def test_dead_letter_after_the_schedule(
    store: Store, emu: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receiver that always fails gets exactly the schedule's 8 attempts; then a dead letter."""
    monkeypatch.setenv(ENV, emu.ctx.config.webhook_secret)
    url = _hook(emu, fail_rate=1.0, fail_status=503)
    store.outbox.register(url, ENV)
    _emit(store, 2)
    report = await Relay(store, scale=FAST).drain(deadline=30)
    assert report.dead == 2 and report.delivered == 0
    assert _arrived(url)["attempts"] == 2 * len(SCHEDULE)
    dead = store.outbox.deliveries(state="dead")
    assert len(dead) == 2
    assert all(d.attempts == len(SCHEDULE) and d.last_status == 503 for d in dead)
    assert all(d.last_error and d.last_error.startswith("HTTP 503") for d in dead)


async def test_unreachable_endpoint_is_retried_later(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused connection is a failed attempt with its error kept and a next attempt set."""
    monkeypatch.setenv(ENV, NEW)
    store.outbox.register("http://127.0.0.1:1/nobody", ENV)
    _emit(store, 1)
    report = await Relay(store, timeout=2).drain_once()
    assert report.retrying == 1
    (d,) = store.outbox.deliveries()
    assert d.state == "pending" and d.attempts == 1 and d.last_status is None
    assert d.last_error and "Connect" in d.last_error
    assert d.next_attempt is not None and d.next_attempt > datetime.now(UTC)


async def test_missing_secret_leaves_deliveries_waiting(store: Store) -> None:
    """Without the secret variable, nothing is sent and nothing counts as an attempt."""
    store.outbox.register("http://127.0.0.1:1/nobody", ENV)
    _emit(store, 2)
    report = await Relay(store).drain(deadline=1)
    assert report.waiting_for_secret == 2 and report.attempted == 0
    assert [d.attempts for d in store.outbox.deliveries(state="pending")] == [0, 0]


async def test_relay_runs_beside_a_long_command(
    store: Store, emu: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events committed while a command runs are delivered by the background relay."""
    import asyncio

    monkeypatch.setenv(ENV, emu.ctx.config.webhook_secret)
    url = _hook(emu)
    store.outbox.register(url, ENV)
    relay = Relay(store, scale=FAST)
    async with relay.running(poll=0.02):
        first = await asyncio.to_thread(_emit, store, 2)
        for _ in range(200):  # delivered while the "command" is still running
            if len(_arrived(url)["events"]) == 2:  # type: ignore[arg-type]
                break
            await asyncio.sleep(0.02)
        assert len(_arrived(url)["events"]) == 2  # type: ignore[arg-type]
        last = await asyncio.to_thread(_emit, store, 1)
    arrived = {e["id"] for e in _arrived(url)["events"]}  # type: ignore[attr-defined]
    assert arrived == set(first + last)


async def test_no_secret_in_logs_or_database(
    store: Store,
    emu: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No log record (any logger, debug level, unredacted) and no table holds the secret."""
    secret = emu.ctx.config.webhook_secret
    monkeypatch.setenv(ENV, secret)
    ok, failing = _hook(emu), _hook(emu, fail_rate=1.0)
    store.outbox.register(ok, ENV)
    store.outbox.register(failing, ENV)
    store.outbox.register("http://127.0.0.1:1/refused", ENV)
    _emit(store, 2)
    caplog.set_level(logging.DEBUG)
    await Relay(store, scale=FAST, timeout=2).drain(deadline=3)
    raw = secret.removeprefix("whsec_")
    assert caplog.records
    for record in caplog.records:
        dumped = record.getMessage() + repr(vars(record))
        assert secret not in dumped and raw not in dumped
    with store.session() as s:
        for table in ("outbox", "outbox_deliveries", "webhook_endpoints", "runs", "audit"):
            for row in s.execute(text(f"SELECT * FROM {table}")):
                assert raw not in repr(tuple(row)), table
