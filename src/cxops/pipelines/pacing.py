"""A tenant's request rate shared by every process on one PostgreSQL store (issue #17).

Vendors limit requests per tenant (per OAuth client or API key), not per process: two workers
each pacing at the tenant's rate would send twice that, and earn 429s. :class:`PgPace` keeps one
row per tenant key in the store's database, a GCRA schedule (the "theoretical arrival time" of
the tenant's next request, ``tat``, and how long a 429 holds it, ``paused``), advanced by one
atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per request: each request reserves the
next slot and waits until it comes, whatever process it is in. Times are PostgreSQL's own clock
(``clock_timestamp()``), so workers on hosts whose clocks differ still agree.

With ``interval = 1 / rate``: a reservation moves ``tat`` to ``max(tat, now, paused) + interval``
and waits ``max(tat - burst * interval, paused) - now``: ``burst`` requests at once, then one
per interval, as a token bucket of that depth would allow.

The table (``cxops_pace``, UNLOGGED: it is pacing state, not history; losing it costs one burst)
is created on first use in the store's schema. The embedded SQLite store keeps the in-process
limiter (``transport/ratelimit.py``): one process, nothing to share.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text

from cxops.store import Store
from cxops.transport.ratelimit import share_pace

__all__ = ["TABLE", "PgPace", "install", "uninstall"]

TABLE = "cxops_pace"
_CREATE_LOCK = 0x63785061  # "cxPa": serializes the table's creation between processes

_RESERVE = text(
    f"""
    WITH c AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now)
    INSERT INTO {TABLE} AS p (key, tat, paused)
    SELECT :key, greatest(c.now, c.now + :hold) + :interval, c.now + :hold FROM c
    ON CONFLICT (key) DO UPDATE SET
        paused = greatest(p.paused, (SELECT now FROM c) + :hold),
        tat = greatest(p.tat, (SELECT now FROM c), (SELECT now FROM c) + :hold) + :interval
    RETURNING greatest(p.tat - :burst * :interval, p.paused) - (SELECT now FROM c)
    """
)


class PgPace:
    """The shared schedule in one PostgreSQL store (see the module doc)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ready = False
        self._lock = threading.Lock()

    def _create(self) -> None:
        with self._lock:
            if self._ready:
                return
            with self._engine.begin() as conn:
                # Two processes creating it at once would collide on the catalog otherwise.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CREATE_LOCK})
                conn.execute(
                    text(
                        f"CREATE UNLOGGED TABLE IF NOT EXISTS {TABLE} ("
                        "key text PRIMARY KEY, tat float8 NOT NULL, paused float8 NOT NULL)"
                    )
                )
            self._ready = True

    def reserve(self, key: str, interval: float, burst: float, hold: float) -> float:
        """Reserve ``key``'s next slot; the seconds to wait before sending (see the module doc)."""
        self._create()
        args = {"key": key, "interval": interval, "burst": burst, "hold": hold}
        with self._engine.begin() as conn:
            wait: float = conn.execute(_RESERVE, args).scalar_one()
        return max(0.0, float(wait))


def install(store: Store) -> None:
    """Pace every tenant of this process through ``store`` when it is PostgreSQL."""
    if store.engine.dialect.name == "postgresql":
        share_pace(PgPace(store.engine))


def uninstall() -> None:
    """Back to in-process pacing (the engine shut down)."""
    share_pace(None)
