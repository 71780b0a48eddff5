"""Genesys dependency tracking must be ``OPERATIONAL`` before its answers are trusted.

``ensure_build`` reads ``GET /api/v2/architect/dependencytracking/build``; while a build is
queued or running it waits; in any other state (``NOTBUILT``, ``BUILDINCOMPLETE``, ...) it
triggers one (``POST .../build``, permission ``architect:dependencyTracking:rebuild``) and
waits for it, all within one deadline.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from cxops.errors import JobError
from cxops.transport import VendorClient

__all__ = ["BUILD_URL", "BuildReport", "ensure_build"]

BUILD_URL = "/api/v2/architect/dependencytracking/build"
_BUILDING = frozenset({"BUILDQUEUED", "BUILDINPROGRESS"})


@dataclass(frozen=True)
class BuildReport:
    """What the build looked like: the first status read, whether cxops triggered a build,
    the statuses seen (deduplicated, in order) and the seconds waited."""

    initial: str
    triggered: bool
    seen: tuple[str, ...]
    waited: float


async def ensure_build(
    client: VendorClient, *, deadline: float = 300.0, interval: float = 0.25
) -> BuildReport:
    """Return once the build is ``OPERATIONAL``; :class:`JobError` when the deadline passes or
    a build cxops triggered ends in another state."""
    started = time.monotonic()
    until = started + deadline
    seen: list[str] = []
    triggered = False
    delay = interval
    while True:
        status = str((await client.get_json(BUILD_URL)).get("status", ""))
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "OPERATIONAL":
            return BuildReport(seen[0], triggered, tuple(seen), time.monotonic() - started)
        if status not in _BUILDING:
            if triggered and len(seen) > 1:
                raise JobError(
                    f"genesys dependency tracking build ended {status}, not OPERATIONAL",
                    hint="see the build's failedObjects (GET " + BUILD_URL + "), then retry",
                )
            await client.request("POST", BUILD_URL, idempotent=True)
            triggered = True
        if time.monotonic() + delay > until:
            raise JobError(
                f"genesys dependency tracking still {status} after {deadline:g}s",
                hint="raise --build-deadline, or wait for the build and run resolve again",
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)
