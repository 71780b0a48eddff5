"""The outbox relay: claim due deliveries, sign, POST, record the outcome, schedule retries.

Outcomes (per attempt): a 2xx marks the delivery *delivered*; 410 Gone disables the endpoint
and every delivery still pending to it; anything else (another status, a network error, a
timeout) is a failed attempt, retried on the Standard Webhooks schedule and a *dead* letter when
the schedule is spent. Delivery is at least once: a crash between sending and recording means a
second send after the claim's lease runs out, and receivers dedupe on ``webhook-id``.

Decision: a plain ``httpx.AsyncClient`` with timeouts (not cxops' vendor transport): webhooks
need none of its vendor auth, paging or rate limits, and retries here follow the webhook
schedule, which outlives any one process (see docs/webhooks.md).

Store calls are synchronous SQLAlchemy; they run in a worker thread so the relay can share an
event loop with a long-running command.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import rfc8785

from cxops import logs
from cxops._version import __version__
from cxops.errors import ConfigError
from cxops.sinks.webhooks.schedule import next_delay
from cxops.sinks.webhooks.signing import load_secrets, signature_headers
from cxops.store import Delivery, DeliveryState, Event, Store
from cxops.store.chain import format_time
from cxops.store.scope import utcnow

__all__ = ["DeliveryReport", "Relay", "event_body"]

log = logging.getLogger(__name__)

_GONE = 410
_ERROR_TEXT = 300


def event_body(event: Event) -> str:
    """The request body: ``{type, timestamp, data}`` as RFC 8785 canonical JSON.

    Canonical, so that every retry of an event sends the very same bytes.
    """
    doc: Any = {"type": event.type, "timestamp": format_time(event.created), "data": event.payload}
    return bytes(rfc8785.dumps(doc)).decode("utf-8")


@dataclass
class DeliveryReport:
    """What one drain did: counts of attempts by outcome."""

    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    disabled: int = 0
    waiting_for_secret: int = 0

    def add(self, other: DeliveryReport) -> None:
        """Accumulate another report into this one."""
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)

    def to_dict(self) -> dict[str, int]:
        """JSON-ready counts."""
        return asdict(self)


class Relay:
    """Drains a store's outbox to its webhook endpoints.

    ``scale`` multiplies the retry schedule (1.0 in production; tests pass ~1e-5).
    ``environ`` is where secrets are looked up by name (default ``os.environ``).
    """

    def __init__(
        self,
        store: Store,
        *,
        scale: float = 1.0,
        timeout: float = 10.0,
        concurrency: int = 8,
        batch: int = 100,
        client: httpx.AsyncClient | None = None,
        environ: Mapping[str, str] | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.scale = scale
        self._timeout = timeout
        self._lease = timedelta(seconds=timeout + 30)
        self._concurrency = concurrency
        self._batch = batch
        self._client = client
        self._environ = environ
        self._now = now

    @asynccontextmanager
    async def _http(self) -> AsyncIterator[httpx.AsyncClient]:
        if self._client is not None:
            yield self._client
            return
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(self._timeout, connect=min(5.0, self._timeout)),
            follow_redirects=False,
            headers={"user-agent": f"cxops/{__version__}"},
        ) as client:
            yield client

    async def drain_once(self) -> DeliveryReport:
        """Send every delivery due now, once; record outcomes. Returns what happened."""
        report = DeliveryReport()
        while True:
            claimed = await asyncio.to_thread(
                self.store.outbox.claim, self._now(), self._lease, self._batch
            )
            if not claimed:
                return report
            async with self._http() as client:
                report.add(await self._send_all(client, claimed))
            if len(claimed) < self._batch:
                return report

    async def drain(self, *, deadline: float | None = None, poll: float = 0.001) -> DeliveryReport:
        """Keep draining until nothing is pending (delivered, dead or disabled) or ``deadline``.

        ``deadline`` is in seconds from now; waits between rounds follow the next due time.
        """
        loop = asyncio.get_running_loop()
        stop = None if deadline is None else loop.time() + deadline
        total = DeliveryReport()
        while True:
            round_ = await self.drain_once()
            total.add(round_)
            if round_.waiting_for_secret and not round_.attempted:
                return total  # nothing can progress until the secret is set
            due = await asyncio.to_thread(self.store.outbox.next_due)
            if due is None:
                return total
            wait = max(0.0, (due - self._now()).total_seconds())
            if stop is not None and loop.time() + wait > stop:
                return total
            await asyncio.sleep(max(wait, poll))

    async def run(self, poll: float = 1.0, stop: asyncio.Event | None = None) -> None:
        """Drain until ``stop`` is set (or the task is cancelled), waking at ``poll`` at most.

        Setting ``stop`` lets the round in flight finish recording its outcomes; cancelling
        may leave claimed deliveries to wait out their lease before another relay retries them.
        """
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.drain_once()
                due = await asyncio.to_thread(self.store.outbox.next_due)
            except Exception:  # a relay inside a command must not take the command down
                log.exception("webhook relay round failed; retrying")
                due = None
            wait = poll if due is None else (due - self._now()).total_seconds()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=min(poll, max(wait, 0.01)))

    @asynccontextmanager
    async def running(self, *, poll: float = 1.0, final_drain: float = 5.0) -> AsyncIterator[None]:
        """Run the relay as a background task while the block runs, then drain once more.

        Use inside long-running commands::

            async with Relay(store).running():
                await pipeline()   # events emitted here are delivered as they commit
        """
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(poll, stop), name="cxops-webhook-relay")
        try:
            yield
        finally:
            stop.set()
            # What the block emitted last goes out now (after the round in flight finishes);
            # failures stay pending for the next relay or `cxops webhooks deliver`.
            try:
                await asyncio.wait_for(task, timeout=final_drain)
                await asyncio.wait_for(self.drain_once(), timeout=final_drain)
            except TimeoutError:
                log.warning("webhook relay: final drain timed out; the rest stays pending")

    async def _send_all(self, client: httpx.AsyncClient, batch: list[Delivery]) -> DeliveryReport:
        gate = asyncio.Semaphore(self._concurrency)
        secrets: dict[str, list[str] | None] = {}
        report = DeliveryReport()

        async def one(delivery: Delivery) -> None:
            name = delivery.endpoint.secret_env
            if name not in secrets:
                try:
                    secrets[name] = load_secrets(name, self._environ)
                except ConfigError as exc:
                    log.warning(
                        "webhook delivery waits: %s",
                        exc.message,
                        extra={"endpoint": delivery.endpoint.url},
                    )
                    secrets[name] = None
            found = secrets[name]
            if found is None:
                report.waiting_for_secret += 1
                return
            async with gate:
                outcome = await self._attempt(client, delivery, found)
            report.attempted += 1
            setattr(report, outcome, getattr(report, outcome) + 1)

        await asyncio.gather(*(one(d) for d in batch))
        return report

    async def _attempt(
        self, client: httpx.AsyncClient, delivery: Delivery, secrets: list[str]
    ) -> str:
        event, endpoint = delivery.event, delivery.endpoint
        at = self._now()
        body = event_body(event)
        headers = signature_headers(event.id, at, body, secrets)
        headers["content-type"] = "application/json"
        status: int | None = None
        try:
            response = await client.post(
                endpoint.url, content=body.encode("utf-8"), headers=headers
            )
            status = response.status_code
            error = None if 200 <= status < 300 else f"HTTP {status}: {response.text[:_ERROR_TEXT]}"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = f"{type(exc).__name__}: {exc}"
        fields = {"event": event.id, "endpoint": endpoint.url, "status": status}
        if error is None:
            await self._record(delivery, DeliveryState.DELIVERED, status, None, None, at)
            log.info("webhook delivered", extra=fields)
            return "delivered"
        error = logs.redact(error)
        if status == _GONE:
            await self._record(delivery, DeliveryState.DISABLED, status, error, None, at)
            await asyncio.to_thread(
                self.store.outbox.disable, endpoint.id, f"410 Gone at {format_time(at)}"
            )
            log.warning("webhook endpoint answered 410 Gone: disabled", extra=fields)
            return "disabled"
        delay = next_delay(delivery.attempts + 1, self.scale)
        if delay is None:
            await self._record(delivery, DeliveryState.DEAD, status, error, None, at)
            log.warning("webhook dead-lettered after the retry schedule: %s", error, extra=fields)
            return "dead"
        await self._record(delivery, DeliveryState.PENDING, status, error, at + delay, at)
        log.info("webhook attempt failed; will retry: %s", error, extra=fields)
        return "retrying"

    async def _record(
        self,
        delivery: Delivery,
        state: str,
        status: int | None,
        error: str | None,
        next_attempt: datetime | None,
        at: datetime,
    ) -> None:
        await asyncio.to_thread(
            self.store.outbox.record,
            delivery.event.id,
            delivery.endpoint.id,
            state=state,
            status=status,
            error=error,
            next_attempt=next_attempt,
            at=at,
        )
