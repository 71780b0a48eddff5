"""What is retried, how long to wait, and when to stop: a tenacity policy for one call.

Retried (and nothing else):

- connection failures where the request never left (connect errors, pool timeouts): always;
- read/write failures and timeouts mid-exchange: only when a repeat is safe;
- statuses 408, 429, 502, 503, 504; and 500 only when a repeat is safe;
- a success answer whose JSON body does not parse (cut off, garbled), only when a repeat is
  safe: a proxy or a vendor hiccup, like a 5xx.

A repeat is *safe* for idempotent methods (RFC 9110 §9.2.2), for a POST carrying an
idempotency key, or for one the caller declares idempotent (a token request, a search).

The wait is the vendor's ``Retry-After`` (seconds or HTTP-date, RFC 9110 §10.2.3) when given,
clamped to ``[0, retry_after_max]``; otherwise full-jitter exponential backoff
(``uniform(0, min(max, initial * 2**n))``, AWS Architecture Blog "Exponential Backoff and
Jitter"). A 429 without ``Retry-After`` (CXone sends none) waits at least half the cap, so a
throttled tenant is not hammered. The call stops when attempts run out, when the next wait would
pass the call's deadline, or when the client's :class:`RetryBudget` is spent (a storm cannot
multiply traffic by more than ``1 + ratio``).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tenacity import RetryCallState

from cxops.transport.settings import TransportOptions

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "CallState",
    "RetryBudget",
    "RetryableResponse",
    "parse_retry_after",
]

RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

# The request never reached the server, so repeating it cannot duplicate an effect.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RetryableResponse(Exception):
    """An answer worth retrying (429, 503...); carries the response for the final error."""

    def __init__(
        self, response: httpx.Response, *, never_sent: bool = False, broken: str | None = None
    ) -> None:
        super().__init__(f"{response.status_code} {response.reason_phrase}")
        self.response = response
        self.never_sent = never_sent  # a token request failed: the call itself never left
        #: Why a success answer's JSON body did not parse (a cut-off or garbled body: worth
        #: another try when repeating is safe, like a 5xx; issue #15).
        self.broken = broken


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or ``None`` when absent or unusable.

    Accepts delay-seconds (tolerating a fraction) and HTTP-dates; a date in the past is 0.
    Garbage, negative numbers, NaN and infinity are ``None`` (fall back to backoff); callers
    clamp large values.

    >>> parse_retry_after("3"), parse_retry_after("-1"), parse_retry_after("soon")
    (3.0, None, None)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    return max(0.0, (when - current).total_seconds())


class RetryBudget:
    """Retries allowed per client: ``reserve + ratio * first attempts`` over its lifetime.

    Modelled on Finagle's RetryBudget: with ``ratio=0.5`` a total outage costs at most 1.5
    requests per call (plus the reserve), whatever ``max_attempts`` says.
    """

    def __init__(self, ratio: float, reserve: float) -> None:
        self.ratio = ratio
        self.reserve = reserve
        self.calls = 0
        self.retries = 0

    def record_call(self) -> None:
        """A first attempt was made: the budget grows by ``ratio``."""
        self.calls += 1

    def try_withdraw(self) -> bool:
        """Spend one retry if the budget allows; ``False`` means do not retry."""
        if self.retries + 1 > self.reserve + self.ratio * self.calls:
            return False
        self.retries += 1
        return True

    @property
    def attempts(self) -> int:
        """All requests sent so far: first attempts plus retries."""
        return self.calls + self.retries


@dataclass
class CallState:
    """One call's retry policy and bookkeeping (tenacity hooks read and write it)."""

    options: TransportOptions
    budget: RetryBudget
    safe: bool  # may a request that might have been processed be repeated?
    deadline: float  # monotonic
    rng: random.Random = field(default_factory=random.Random)
    stop_reason: str | None = None
    last_wait: float = 0.0
    hinted: bool = False  # the last wait came from the vendor's Retry-After
    attempts: int = 0
    last_error: BaseException | None = None  # what the latest failed attempt raised
    expect_json: bool = False  # parse success answers in the attempt (broken body: retry)

    def remaining(self) -> float:
        """Seconds left before the call's deadline."""
        return self.deadline - time.monotonic()

    def should_retry(self, exc: BaseException) -> bool:
        """Tenacity ``retry`` hook: is this failure worth another attempt at all?"""
        if isinstance(exc, RetryableResponse):
            status = exc.response.status_code
            safe = self.safe or exc.never_sent
            if exc.broken is not None:
                return self.safe
            return safe and (status in RETRY_STATUSES or status == 500)
        if isinstance(exc, _NEVER_SENT):
            return True
        return isinstance(exc, httpx.TransportError) and self.safe

    def wait(self, state: RetryCallState) -> float:
        """Tenacity ``wait`` hook: the vendor's ``Retry-After`` or full-jitter backoff."""
        opts = self.options
        exc = state.outcome.exception() if state.outcome else None
        self.last_error = exc
        hint = None
        if isinstance(exc, RetryableResponse):
            hint = parse_retry_after(exc.response.headers.get("retry-after"))
        cap = min(opts.backoff_max, opts.backoff_initial * 2 ** (state.attempt_number - 1))
        if hint is not None:
            self.hinted = True
            wait = min(hint, opts.retry_after_max) * opts.retry_after_scale
        elif isinstance(exc, RetryableResponse) and exc.response.status_code == 429:
            self.hinted = False
            cap = max(cap, opts.no_hint_backoff)
            wait = self.rng.uniform(cap / 2, cap)
        else:
            self.hinted = False
            wait = self.rng.uniform(0, cap)
        self.last_wait = wait
        return wait

    def stop(self, state: RetryCallState) -> bool:
        """Tenacity ``stop`` hook: attempts, deadline, then the client's budget."""
        if state.attempt_number >= self.options.max_attempts:
            self.stop_reason = f"gave up after {state.attempt_number} attempts"
            return True
        if state.upcoming_sleep >= self.remaining():
            asked = "the vendor asked to wait" if self.hinted else "the next wait is"
            self.stop_reason = (
                f"{asked} {state.upcoming_sleep:.1f}s, past the deadline "
                f"({self.options.deadline:g}s) after {state.attempt_number} attempt(s)"
            )
            return True
        if not self.budget.try_withdraw():
            self.stop_reason = (
                f"retry budget of this client spent ({self.budget.retries} retries for "
                f"{self.budget.calls} calls) after {state.attempt_number} attempt(s)"
            )
            return True
        return False
