"""The emulator's clock: wall time that tests can speed up (``speed``) or step (``advance``).

Job lifecycles, token expiry and audit timestamps read this clock, so a test can make an export
job take "ten minutes" in a tenth of a second. Rate limiting and injected latency use real time,
because clients really wait for them.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Monotonic emulated time in epoch seconds: ``now = t0 + elapsed_real * speed + offset``."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._t0 = time.time() if start is None else start
        self._m0 = time.monotonic()
        self._speed = speed
        self._offset = 0.0

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        with self._lock:
            return self._t0 + (time.monotonic() - self._m0) * self._speed + self._offset

    def iso(self, at: float | None = None) -> str:
        """ISO 8601 with milliseconds and ``Z``, the form all three vendors use."""
        moment = datetime.fromtimestamp(self.now() if at is None else at, UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def millis(self, at: float | None = None) -> int:
        """Epoch milliseconds (Cognigy's ``createdAt``/``lastChanged`` style)."""
        return int((self.now() if at is None else at) * 1000)

    def advance(self, seconds: float) -> None:
        """Jump forward; never backward (time that goes back would break job lifecycles)."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset += seconds

    def set_speed(self, speed: float) -> None:
        """Change the rate from now on, keeping ``now()`` continuous."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            m = time.monotonic()
            self._t0 = self._t0 + (m - self._m0) * self._speed
            self._m0 = m
            self._speed = speed
