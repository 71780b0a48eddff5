"""Per-client token buckets, in real time, as vendors throttle each OAuth client or API key."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """``rate`` requests per second sustained, ``burst`` at once. ``rate <= 0`` means no limit."""

    rate: float
    burst: float


class RateLimiter:
    """One bucket per key; ``take`` returns 0 when allowed, else seconds until a token is free."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def take(self, key: str, limit: Limit) -> float:
        if limit.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (limit.burst, now))
            tokens = min(limit.burst, tokens + (now - last) * limit.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / limit.rate

    def remaining(self, key: str, limit: Limit) -> int:
        with self._lock:
            tokens, _ = self._buckets.get(key, (limit.burst, 0.0))
        return max(0, math.floor(tokens))

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
