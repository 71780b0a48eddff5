"""Structured fan-out (``cxops.vendors.concurrently``): order, first error, no task left behind;
then the adapters and the export pipeline with one request refused by the emulator."""

from __future__ import annotations

import asyncio
import gc
import inspect
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxops.emulator import EmulatorThread, Scenario
from cxops.errors import InputError, NetworkError, PermissionDenied
from cxops.pipelines.engine import shutdown
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.vendors import ProjectRef, VendorAdapter
from cxops.vendors.concurrently import gather_all, map_all
from tests.pipelines.conftest import FAST, emulator_settings
from tests.vendors.conftest import connected

REFUSED = "no access to this flow"


def _others() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


async def _after(seconds: float, value: Any) -> Any:
    await asyncio.sleep(seconds)
    return value


async def _fail(seconds: float, error: Exception) -> None:
    await asyncio.sleep(seconds)
    raise error


async def test_results_keep_argument_order_whatever_order_they_finish_in() -> None:
    """map_all and gather_all return values in argument order, not completion order."""
    delays = [0.05, 0.0, 0.03, 0.01]
    assert await map_all(lambda d: _after(d, d), delays) == delays
    assert await gather_all(_after(0.02, "a"), _after(0.0, 1), _after(0.01, None)) == ("a", 1, None)
    assert await map_all(lambda d: _after(d, d), []) == []


async def test_the_first_error_is_raised_as_itself_and_the_others_are_cancelled() -> None:
    """The first failure comes out as that very exception (not an ExceptionGroup), even when
    a sibling fails too while being cancelled; every sibling was cancelled, none finished, and
    no task is left once the call has raised."""
    first = PermissionDenied("vendor said no", hint="ask for the role")
    finished: list[str] = []
    cancelled: list[str] = []
    stop = asyncio.Event()  # never set: only a cancellation ends these

    async def sibling(name: str, error_on_cancel: bool) -> str:
        try:
            await stop.wait()
        except asyncio.CancelledError:
            cancelled.append(name)
            if error_on_cancel:
                raise NetworkError(f"{name} broke while closing") from None
            raise
        finished.append(name)
        return name

    before = _others()
    async with asyncio.timeout(5):  # a sibling left running would hang here, not pass
        with pytest.raises(PermissionDenied) as caught:
            await gather_all(sibling("a", False), _fail(0.01, first), sibling("b", True))
    assert caught.value is first and caught.value.hint == "ask for the role"
    assert sorted(cancelled) == ["a", "b"] and finished == []
    assert _others() == before

    cancelled.clear()
    async with asyncio.timeout(5):
        with pytest.raises(InputError, match="bad item 3"):
            await map_all(
                lambda i: (
                    _fail(0.01 * i, InputError(f"bad item {i}"))
                    if i == 3
                    else sibling(str(i), False)
                ),
                range(6),
            )
    assert sorted(cancelled) == ["0", "1", "2", "4", "5"]
    assert _others() == before


async def test_a_failure_leaves_the_callers_task_uncancelled() -> None:
    """After a child failed, the calling task has no cancellation pending or counted (3.11's
    TaskGroup leaves ``cancelling()`` at 1), so a later timeout or await behaves normally."""
    me = asyncio.current_task()
    assert me is not None
    with pytest.raises(ValueError, match="x"):
        await gather_all(_fail(0.0, ValueError("x")), asyncio.sleep(1))
    assert me.cancelling() == 0
    assert await _after(0.01, "still running") == "still running"
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)


async def test_a_coroutine_that_never_started_is_closed() -> None:
    """A failure before a sibling coroutine got to start closes it (no 'never awaited'
    warning) and its body never runs."""
    ran: list[str] = []

    async def boom() -> None:
        raise NetworkError("refused at once")

    async def late() -> None:
        ran.append("late")

    coro = late()
    with pytest.raises(NetworkError, match="refused at once"):
        await gather_all(boom(), coro)
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED and ran == []


async def test_a_cancellation_from_outside_propagates_and_ends_every_child() -> None:
    """Cancelling the caller cancels every child and raises CancelledError, even when children
    fail while being cancelled (the cancellation wins); nothing is left running."""
    cancelled: list[int] = []

    async def child(i: int) -> int:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(i)
            if i % 2:
                raise NetworkError(f"child {i} broke while closing") from None
            raise
        return i

    before = _others()
    task = asyncio.create_task(map_all(child, range(4)))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled() and sorted(cancelled) == [0, 1, 2, 3]
    assert _others() == before


async def test_map_all_runs_at_most_limit_at_a_time() -> None:
    """``limit`` bounds how many items run at once; a limit below 1 is refused."""
    running = 0
    peak = 0

    async def item(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        return i * i

    assert await map_all(item, range(7), limit=2) == [i * i for i in range(7)]
    assert peak == 2
    with pytest.raises(ValueError, match="at least 1"):
        await map_all(item, range(3), limit=0)


# ---- over the emulator: a Cognigy project where one flow's chart is refused -----------------


def _refuse_one_flow(emu: EmulatorThread, refused: str, slow: list[str]) -> None:
    """403 on one flow's chart; the node reads (listing or single) of ``slow`` flows take 0.3 s,
    so those requests are still in flight when the 403 arrives (gather would leave them
    running)."""
    rules: list[dict[str, Any]] = [
        {"vendor": "cognigy", "path": f"/new/v2.0/flows/{refused}/chart", "action": "error",
         "status": 403, "message": REFUSED},
    ]  # fmt: skip
    rules += [
        {"vendor": "cognigy", "path": f"/new/v2.0/flows/{f}/chart/nodes*", "action": "latency",
         "seconds": 0.3}
        for f in slow
    ]  # fmt: skip
    emu.ctx.faults.load(Scenario.parse({"faults": rules}))


async def _smallest(adapter: VendorAdapter) -> tuple[ProjectRef, list[str]]:
    """The project with the fewest flows (more than one) and its flow ids, sorted."""
    sized = []
    for project in await adapter.list_projects():
        flows = [f.id for f in await adapter.list_flows(project)]
        if len(flows) > 1:
            sized.append((len(flows), project.id, project, flows))
    _, _, project, flows = min(sized)
    return project, flows


async def test_an_export_with_a_refused_request_raises_it_and_leaves_no_request_running(
    emu: EmulatorThread,
) -> None:
    """One request of a Cognigy export answered 403: export_project raises that PermissionDenied
    with the vendor's message; when it has, none of the project's other requests is still
    running, and closing the client afterwards warns of nothing (no unclosed socket)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with connected(emu, "cognigy", "prod") as (_, adapter):
            project, flows = await _smallest(adapter)
            _refuse_one_flow(emu, flows[0], flows[1:])
            before = _others()
            with pytest.raises(PermissionDenied) as refused:
                await adapter.export_project(project)
            left = _others() - before
        gc.collect()
    assert REFUSED in refused.value.message
    assert left == set(), [t.get_coro() for t in left]
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


@pytest.fixture
def engine_off() -> Iterator[None]:
    """Shut the durable engine down after the test (it has its own store)."""
    yield
    shutdown()


def _ours(task: asyncio.Task[Any]) -> bool:
    """A task running adapter, transport or HTTP client code."""
    code = getattr(task.get_coro(), "cr_code", None)
    where = code.co_filename if code is not None else ""
    return any(
        p in where for p in ("/cxops/vendors/", "/cxops/transport/", "/httpx/", "/httpcore/")
    )


def test_an_export_run_with_a_refused_request_is_partial_and_leaves_nothing_running(
    emu: EmulatorThread, tmp_path: Path, engine_off: None
) -> None:
    """`export --all` on the three-project prod tenant with one flow refused: the run ends
    partial, that project failed with the vendor's message, the others are committed; when the
    run returns no adapter or HTTP task is pending and no ResourceWarning was emitted."""

    async def main() -> tuple[dict[str, Any], list[asyncio.Task[Any]]]:
        async with connected(emu, "cognigy", "prod") as (_, adapter):
            project, flows = await _smallest(adapter)
        _refuse_one_flow(emu, flows[0], flows[1:])
        settings = emulator_settings(emu, "cognigy", "prod")
        options = ExportOptions(
            repo=tmp_path / "repo", store=f"sqlite:///{tmp_path / 'state.db'}", transport=FAST,
            all=True,
        )  # fmt: skip
        summary = await run_export(settings, options)
        summary["refused_project"] = project.id
        return summary, [t for t in asyncio.all_tasks() if _ours(t)]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary, pending = asyncio.run(main())
        gc.collect()
    assert pending == []
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert summary["status"] == "partial"
    assert summary["projects_failed"] == [summary["refused_project"]]
    failed = next(p for p in summary["projects"] if p["status"] == "failed")
    assert REFUSED in failed["error"]
    assert len(summary["projects_ok"]) == 2 and summary["commit"]
