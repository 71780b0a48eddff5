"""Structured fan-out: run coroutines at once in one ``asyncio.TaskGroup``, all or nothing.

``asyncio.gather`` leaves the other awaitables running when one fails, so a failed export left
requests in flight on a client about to close. Here, when one coroutine fails, the others are
cancelled and waited for, then that first error is raised as itself (a ``CxopsError`` stays a
``CxopsError`` with its message, not an ``ExceptionGroup``). Nothing started here is still
running when a call returns or raises. A cancellation from outside cancels every coroutine and
propagates (it wins over an error that races it).

    doc, chart = await gather_all(get(url), get(f"{url}/chart"))
    docs = await map_all(fetch, refs, limit=8)

Why the siblings are cancelled here rather than by letting the error reach the group: on
Python 3.11 a ``TaskGroup`` whose child fails cancels the waiting parent task and never
uncancels it (``Task.cancelling()`` stays 1 after the group is gone, also on 3.12.1; fixed in
3.13 by CPython gh-116720), which later ``asyncio.timeout`` and task groups in that task would
misread; and an ``ExceptionGroup`` would not tell that error from a cancellation from outside.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar, overload

__all__ = ["gather_all", "map_all"]

T = TypeVar("T")
A = TypeVar("A")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")
T4 = TypeVar("T4")
T5 = TypeVar("T5")

Coro = Coroutine[Any, Any, T]


async def _run_all(starts: Sequence[Callable[[], Awaitable[T]]], limit: int | None) -> list[T]:
    """Each ``start()`` awaited in its own task; the values in order, or the first error."""
    values: dict[int, T] = {}
    failure: Exception | None = None
    tasks: list[asyncio.Task[None]] = []
    gate = asyncio.Semaphore(limit) if limit is not None else None

    async def run(index: int, start: Callable[[], Awaitable[T]]) -> None:
        nonlocal failure
        try:
            if gate is None:
                values[index] = await start()
            else:
                async with gate:
                    values[index] = await start()
        except Exception as exc:  # kept; raised once the others end
            if failure is None:
                failure = exc
                me = asyncio.current_task()
                for task in tasks:
                    if task is not me:
                        task.cancel()  # a no-op for a task that is done

    async with asyncio.TaskGroup() as group:
        tasks.extend(group.create_task(run(i, s)) for i, s in enumerate(starts))
    if failure is not None:
        try:
            raise failure
        finally:
            failure = None  # no cycle through this frame's traceback
    if len(values) != len(starts):
        # A coroutine cancelled itself (or ended in CancelledError): as gather does, say so.
        raise asyncio.CancelledError()
    return [values[i] for i in range(len(starts))]


@overload
async def gather_all(a: Coro[T1], /) -> tuple[T1]: ...
@overload
async def gather_all(a: Coro[T1], b: Coro[T2], /) -> tuple[T1, T2]: ...
@overload
async def gather_all(a: Coro[T1], b: Coro[T2], c: Coro[T3], /) -> tuple[T1, T2, T3]: ...
@overload
async def gather_all(
    a: Coro[T1], b: Coro[T2], c: Coro[T3], d: Coro[T4], /
) -> tuple[T1, T2, T3, T4]: ...
@overload
async def gather_all(
    a: Coro[T1], b: Coro[T2], c: Coro[T3], d: Coro[T4], e: Coro[T5], /
) -> tuple[T1, T2, T3, T4, T5]: ...
async def gather_all(*coros: Coro[Any]) -> tuple[Any, ...]:
    """Run ``coros`` concurrently; their results in argument order (a tuple, typed per place).

    The first failure cancels the others and is raised as itself once they have ended. A
    coroutine that never got to start (the others failed first) is closed, so Python does not
    warn that it was never awaited. For a list of like items use :func:`map_all`.
    """
    try:
        return tuple(await _run_all([_returns(c) for c in coros], None))
    finally:
        unstarted = inspect.CORO_CREATED
        for coro in coros:
            if inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) == unstarted:
                coro.close()


def _returns(coro: Coro[T]) -> Callable[[], Awaitable[T]]:
    return lambda: coro


async def map_all(
    fn: Callable[[A], Awaitable[T]], items: Iterable[A], *, limit: int | None = None
) -> list[T]:
    """``[await fn(item) for item in items]``, run concurrently (at most ``limit`` at a time).

    Results keep the order of ``items``; errors and cancellation as :func:`gather_all`.
    ``fn(item)`` is called inside its task, so an item that never starts leaves nothing behind.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"map_all: limit must be at least 1, not {limit}")
    return await _run_all([_call(fn, item) for item in items], limit)


def _call(fn: Callable[[A], Awaitable[T]], item: A) -> Callable[[], Awaitable[T]]:
    return lambda: fn(item)
