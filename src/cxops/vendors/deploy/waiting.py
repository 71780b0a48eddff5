"""Waiting for a condition the vendor reports (a simulator run, sessions draining)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from cxops.errors import NetworkError

__all__ = ["until"]

T = TypeVar("T")


async def until(
    check: Callable[[], Awaitable[T | None]],
    *,
    timeout: float,
    what: str,
    interval: float = 0.2,
    max_interval: float = 5.0,
) -> T:
    """Call ``check`` until it returns a value (not ``None``); back off up to ``max_interval``.

    Raises :class:`NetworkError` naming ``what`` when ``timeout`` seconds pass first.
    """
    end = time.monotonic() + timeout
    wait = interval
    while True:
        value = await check()
        if value is not None:
            return value
        left = end - time.monotonic()
        if left <= 0:
            raise NetworkError(f"{what}: not done after {timeout:g}s", hint="retry later")
        await asyncio.sleep(min(wait, left))
        wait = min(wait * 1.5, max_interval)
