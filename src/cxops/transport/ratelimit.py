"""Client-side pacing per tenant: a token bucket, a concurrency cap, and the vendor's hints.

Every client talking to the same tenant (same vendor and base URL) in one event loop shares one
:class:`TenantLimiter`, so two pipelines in one process cannot together exceed the pace.
The limiter adapts to what the vendor says:

- a 429's ``Retry-After`` pauses the whole tenant, not only the request that got it, and
  lowers the pace (as TCP's AIMD: to Genesys' ``inin-ratelimit-allowed`` per ``-reset``
  seconds when given, else by a quarter; then up 5% per success back to the configured rate,
  so the pace only falls while more than ~15% of answers are 429s);
- Genesys ``inin-ratelimit-allowed/-count/-reset`` and the IETF draft / GitHub style
  ``RateLimit-Remaining``/``X-RateLimit-Remaining`` + ``-Reset`` pause it when nothing remains.

Across processes (issue #17): when a :class:`SharedPace` is installed (:func:`share_pace`; the
pipelines install one on a PostgreSQL store), :func:`limiter_for` gives a
:class:`SharedTenantLimiter`, whose tokens come from that shared schedule instead of this
process' bucket, so N workers on one tenant together keep its rate, and a 429 seen by one holds
them all. Transport knows only the protocol; the schedule's storage lives in the pipelines.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

import httpx

__all__ = ["SharedPace", "SharedTenantLimiter", "TenantLimiter", "limiter_for", "share_pace"]

_MAX_PAUSE = 120.0
_MIN_RATE = 0.5  # requests per second: never slow below this on our own
_GROWTH = 1.05  # pace regained per successful answer
_BACKOFF = 0.75  # pace kept after a 429 that says nothing about the limit


def _number(headers: httpx.Headers, *names: str) -> float | None:
    for name in names:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return float(raw.split(",")[0].split(";")[0])
        except ValueError:
            continue
    return None


class TenantLimiter:
    """A token bucket (``rate`` per second, ``burst`` deep) plus at most ``concurrency`` calls."""

    def __init__(self, rate: float, burst: float, concurrency: int) -> None:
        self.max_rate = rate
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self.in_flight = 0
        self.peak_in_flight = 0

    def _refill(self, now: float) -> None:
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def _take(self) -> None:
        # One waiter at a time computes its wait: FIFO fairness, and no thundering herd.
        async with self._lock:
            while True:
                now = time.monotonic()
                self._refill(now)
                wait = max(0.0, self._paused_until - now)
                if wait == 0 and self._tokens >= 1:
                    self._tokens -= 1
                    return
                if wait == 0:
                    wait = (1 - self._tokens) / self.rate
                await asyncio.sleep(wait)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a concurrency slot and one bucket token for the duration of one request."""
        async with self._slots:
            await self._take()
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1

    def pause(self, seconds: float) -> None:
        """Hold every request of this tenant for ``seconds`` (clamped) from now."""
        until = time.monotonic() + min(max(seconds, 0.0), _MAX_PAUSE)
        self._paused_until = max(self._paused_until, until)

    def observe(self, response: httpx.Response, retry_after: float | None = None) -> None:
        """Adapt to a response's rate-limit headers (and a 429's already-scaled wait)."""
        headers = response.headers
        if response.status_code == 429:
            allowed = _number(headers, "inin-ratelimit-allowed")
            window = _number(headers, "inin-ratelimit-reset")
            pace = allowed / max(window, 1.0) if allowed and window else self.rate * _BACKOFF
            self.rate = max(_MIN_RATE, min(self.rate, pace))
            self._tokens = min(self._tokens, 0.0)
            if retry_after is not None:
                self.pause(retry_after)
        elif response.status_code < 400 and self.rate < self.max_rate:
            self.rate = min(self.max_rate, self.rate * _GROWTH)
        remaining = _number(headers, "ratelimit-remaining", "x-ratelimit-remaining")
        reset = _number(headers, "ratelimit-reset", "x-ratelimit-reset", "inin-ratelimit-reset")
        allowed = _number(headers, "inin-ratelimit-allowed")
        count = _number(headers, "inin-ratelimit-count")
        if remaining is None and allowed is not None and count is not None:
            remaining = allowed - count
        if remaining is not None and remaining <= 0 and reset is not None:
            # X-RateLimit-Reset is sometimes an epoch time: treat big values as one.
            self.pause(reset - time.time() if reset > 1e9 else reset)


class SharedPace(Protocol):
    """A tenant's send schedule shared by every process (a GCRA: one "theoretical arrival
    time" per tenant key, advanced atomically by each reservation)."""

    def reserve(self, key: str, interval: float, burst: float, hold: float) -> float:
        """Reserve ``key``'s next send slot (one per ``interval`` seconds, ``burst`` at once),
        first holding the tenant ``hold`` seconds from now (a 429's wait, 0 for none); the
        seconds to wait before sending. A blocking call (run off the event loop)."""
        ...


class SharedTenantLimiter(TenantLimiter):
    """A :class:`TenantLimiter` whose tokens come from a :class:`SharedPace`: the concurrency
    cap and the adaptive pace stay per process, the rate and the pauses hold across them."""

    def __init__(
        self, key: str, rate: float, burst: float, concurrency: int, pace: SharedPace
    ) -> None:
        super().__init__(rate, burst, concurrency)
        self.key = key
        self._pace = pace
        self._hold = 0.0

    async def _take(self) -> None:
        # The lock keeps this process' reservations in arrival order; the wait is outside it,
        # so one process may hold several future slots (as many as its concurrency).
        async with self._lock:
            hold, self._hold = self._hold, 0.0
            wait = await asyncio.to_thread(
                self._pace.reserve, self.key, 1.0 / self.rate, self.burst, hold
            )
        wait = max(wait, self._paused_until - time.monotonic())
        if wait > 0:
            await asyncio.sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold this tenant here now, and in every process from this one's next reservation."""
        super().pause(seconds)
        self._hold = max(self._hold, min(max(seconds, 0.0), _MAX_PAUSE))


_shared: SharedPace | None = None


def share_pace(pace: SharedPace | None) -> None:
    """Pace every tenant through ``pace`` from now on (None: back to in-process buckets).
    Limiters made before keep what they had."""
    global _shared
    _shared = pace
    _REGISTRY.clear()


_REGISTRY: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, TenantLimiter]] = (
    weakref.WeakKeyDictionary()
)


def limiter_for(key: str, rate: float, burst: float, concurrency: int) -> TenantLimiter:
    """The limiter shared by every client of tenant ``key`` in the running event loop."""
    loop = asyncio.get_running_loop()
    limiters = _REGISTRY.setdefault(loop, {})
    if key not in limiters:
        if _shared is not None:
            limiters[key] = SharedTenantLimiter(key, rate, burst, concurrency, _shared)
        else:
            limiters[key] = TenantLimiter(rate, burst, concurrency)
    return limiters[key]
