"""What the emulator saw: every request (times, for pacing checks) and every mutating call.

The ledger is how tests count side effects ("exactly one deployment") and how ``--dry-run`` is
proven to touch nothing. Handlers label an entry by setting ``request.state.effect`` (e.g.
``"genesys.flow.publish"``) and ``request.state.resource`` (the id acted on).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENCY_HEADERS = ("idempotency-key", "x-idempotency-key")


@dataclass(frozen=True)
class Seen:
    """One request as the emulator received it."""

    seq: int
    wall: float  # real epoch seconds when the request arrived
    clock: float  # emulated time when it arrived
    vendor: str
    tenant: str
    method: str
    path: str  # relative to the tenant mount, e.g. /api/v2/flows
    client: str | None  # client id / api key id once authenticated
    status: int
    fault: str | None
    idempotency_key: str | None
    effect: str | None
    resource: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Ledger:
    """A bounded request log plus the unbounded list of mutating calls."""

    def __init__(self, max_requests: int = 200_000) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.requests: deque[Seen] = deque(maxlen=max_requests)
        self.mutations: list[Seen] = []

    def next_seq(self) -> int:
        return next(self._seq)

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)
            if seen.method in MUTATING:
                self.mutations.append(seen)

    def query(self, *, mutating_only: bool, **match: str | None) -> list[Seen]:
        with self._lock:
            rows = list(self.mutations if mutating_only else self.requests)
        for key, value in match.items():
            if value is not None:
                rows = [r for r in rows if getattr(r, key) == value]
        return rows

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.mutations.clear()
