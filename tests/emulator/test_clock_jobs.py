"""The emulator clock and job schedules: pure, so tested in-process without a server."""

from __future__ import annotations

import pytest

from cxops.emulator.clock import Clock
from cxops.emulator.jobs import FAILURE, SUCCESS, Job, JobBoard


def _job(clock: Clock, **kw: object) -> Job:
    return Job(
        id="j1",
        kind="export",
        vendor="genesys",
        tenant="dev",
        created=clock.now(),
        phases=[("queued", 1.0), ("active", 4.0)],
        **kw,
    )  # type: ignore[arg-type]


def test_clock_advances_and_never_goes_back() -> None:
    """advance() moves time forward by exactly the amount; a negative step is refused."""
    clock = Clock(speed=1.0, start=1000.0)
    before = clock.now()
    clock.advance(60)
    assert 60 <= clock.now() - before < 61
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


def test_clock_speed_change_is_continuous() -> None:
    """Changing speed keeps now() continuous and then runs faster."""
    clock = Clock(speed=1.0, start=0.0)
    t1 = clock.now()
    clock.set_speed(1000.0)
    t2 = clock.now()
    assert 0 <= t2 - t1 < 0.5
    with pytest.raises(ValueError, match="positive"):
        clock.set_speed(0)


def test_clock_iso_has_millis_and_z() -> None:
    """Timestamps use the vendors' ISO form with milliseconds and Z."""
    assert Clock(start=0.0).iso(0.0) == "1970-01-01T00:00:00.000Z"
    assert Clock(start=0.0).millis(1.5) == 1500


def test_job_walks_its_phases_then_succeeds_and_effect_lands_once() -> None:
    """State follows the phases on the clock; on_done runs once, at tick, without polling."""
    clock = Clock(start=0.0)
    board = JobBoard(clock)
    fired: list[str] = []
    job = board.add(_job(clock, on_done=lambda j: fired.append(j.id)))
    assert job.status(clock.now())[0] == "queued"
    clock.advance(2)
    state, progress = job.status(clock.now())
    assert state == "active" and 0 < progress < 1
    clock.advance(4)
    board.tick()
    board.tick()
    assert job.status(clock.now()) == (SUCCESS, 1.0)
    assert fired == ["j1"]


def test_job_failure_keeps_reason_and_skips_effect() -> None:
    """A job set to fail ends in failure with its reason and never applies its effect."""
    clock = Clock(start=0.0)
    board = JobBoard(clock)
    fired: list[str] = []
    job = board.add(
        _job(clock, outcome=FAILURE, reason="disk full", on_done=lambda j: fired.append(j.id))
    )
    clock.advance(10)
    board.tick()
    assert job.status(clock.now())[0] == FAILURE
    assert job.reason == "disk full"
    assert fired == []


def test_effect_that_raises_fails_the_job() -> None:
    """An effect that cannot apply turns the job into a failure naming the exception."""
    clock = Clock(start=0.0)
    board = JobBoard(clock)

    def boom(job: Job) -> None:
        raise KeyError("flow-9")

    job = board.add(_job(clock, on_done=boom))
    clock.advance(10)
    board.tick()
    assert job.status(clock.now())[0] == FAILURE
    assert job.reason is not None and "flow-9" in job.reason


def test_stalled_job_never_finishes_and_progress_freezes() -> None:
    """A stalled job stays in its last phase with progress that stops changing."""
    clock = Clock(start=0.0)
    board = JobBoard(clock)
    job = board.add(_job(clock, stall=True))
    clock.advance(100)
    first = job.status(clock.now())
    clock.advance(1000)
    board.tick()
    assert job.status(clock.now()) == first
    assert first[0] == "active"


def test_cancel_passes_through_cancelling_and_prevents_the_effect() -> None:
    """Cancel moves a running job to cancelling, then cancelled; its effect never runs."""
    clock = Clock(start=0.0)
    board = JobBoard(clock)
    fired: list[str] = []
    job = board.add(_job(clock, on_done=lambda j: fired.append(j.id)))
    clock.advance(2)
    board.cancel("j1")
    assert job.status(clock.now())[0] == "cancelling"
    clock.advance(10)
    board.tick()
    assert job.status(clock.now())[0] == "cancelled"
    assert fired == []


def test_cancel_of_finished_job_changes_nothing() -> None:
    """Cancelling a job that already succeeded leaves it succeeded."""
    clock = Clock(start=0.0)
    board = JobBoard(clock)
    job = board.add(_job(clock))
    clock.advance(10)
    board.cancel("j1")
    assert job.status(clock.now())[0] == SUCCESS
