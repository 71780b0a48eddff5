"""The sans-I/O job lifecycles: tables, illegal moves, stuck jobs, the error state, diagrams."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxops.errors import JobError, ProtocolError
from cxops.transport.lifecycle import (
    COGNIGY_TASK,
    ERROR,
    GENESYS_JOB,
    GENESYS_OPERATION,
    LIFECYCLES,
    JobMachine,
    Observation,
    Outcome,
    diagram,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "transport.md"


def test_cognigy_task_runs_queued_active_done() -> None:
    """A task seen queued, active, then done ends in success with its history recorded."""
    machine = JobMachine(COGNIGY_TASK, "t1")
    for state in ("queued", "active", "active", "done"):
        machine.observe(Observation(state))
    assert machine.outcome is Outcome.SUCCESS
    assert machine.history == ["queued", "active", "done"]


def test_skipping_states_a_poll_missed_is_legal() -> None:
    """A fast job first seen done (or queued then done) is fine: polls sample."""
    for lc, path in [
        (COGNIGY_TASK, ["queued", "done"]),
        (GENESYS_JOB, ["Registered", "Success"]),
        (GENESYS_OPERATION, ["STARTED", "SUCCESS"]),
        (COGNIGY_TASK, ["error"]),
    ]:
        machine = JobMachine(lc, "j")
        for state in path:
            machine.observe(Observation(state))
        assert machine.finished


@pytest.mark.parametrize(
    ("lifecycle", "before", "after"),
    [
        (COGNIGY_TASK, "done", "active"),
        (COGNIGY_TASK, "active", "queued"),
        (COGNIGY_TASK, "cancelled", "done"),
        (GENESYS_JOB, "Started", "Registered"),
        (GENESYS_JOB, "Failure", "Success"),
        (GENESYS_OPERATION, "PENDING_BACKEND_NOTIFICATION", "STARTED"),
    ],
)
def test_illegal_transition_names_job_and_both_states(lifecycle, before, after) -> None:  # type: ignore[no-untyped-def]
    """Going backwards raises ProtocolError naming the job and both states; machine errors."""
    machine = JobMachine(lifecycle, "job-42")
    machine.observe(Observation(before))
    with pytest.raises(ProtocolError) as caught:
        machine.observe(Observation(after))
    text = str(caught.value)
    assert "job-42" in text and before in text and after in text
    assert machine.state == ERROR
    with pytest.raises(ProtocolError, match="already in error"):
        machine.observe(Observation(before))


def test_unknown_state_is_a_protocol_error() -> None:
    """A state the table does not know is refused with the known states as a hint."""
    machine = JobMachine(GENESYS_JOB, "j")
    with pytest.raises(ProtocolError, match="unknown state 'Paused'") as caught:
        machine.observe(Observation("Paused"))
    assert caught.value.hint is not None and "Registered" in caught.value.hint


def test_no_change_for_n_polls_is_stuck() -> None:
    """The same state and progress for stuck_after polls raises JobError (reason stuck)."""
    machine = JobMachine(COGNIGY_TASK, "t9", stuck_after=3)
    machine.observe(Observation("active", 0.5))
    machine.observe(Observation("active", 0.5))
    machine.observe(Observation("active", 0.5))
    with pytest.raises(JobError) as caught:
        machine.observe(Observation("active", 0.5))
    assert caught.value.reason == "stuck" and caught.value.job_id == "t9"
    assert machine.state == ERROR


def test_progress_resets_the_stuck_count() -> None:
    """Moving progress is not stuck, however long the state lasts."""
    machine = JobMachine(COGNIGY_TASK, "t", stuck_after=2)
    for i in range(10):
        machine.observe(Observation("active", i / 10))
    assert machine.state == "active"


def test_failure_keeps_the_vendor_reason() -> None:
    """A failure's reason from the body stays on the machine."""
    machine = JobMachine(GENESYS_JOB, "g")
    machine.observe(Observation("Started"))
    machine.observe(Observation("Failure", reason="flow has errors"))
    assert machine.outcome is Outcome.FAILURE and machine.reason == "flow has errors"


def test_driver_exception_sends_machine_to_error() -> None:
    """fail() (called by the poller on any exception) makes the machine terminal."""
    machine = JobMachine(COGNIGY_TASK, "t")
    machine.observe(Observation("queued"))
    machine.fail(RuntimeError("network down"))
    assert machine.finished and machine.state == ERROR and "network down" in str(machine.reason)


@given(st.sampled_from(sorted(LIFECYCLES)), st.lists(st.text(max_size=12), max_size=8))
def test_any_sequence_either_follows_the_table_or_raises(name: str, extra: list[str]) -> None:
    """Whatever arrives, the machine ends in a table state or in ERROR, never elsewhere."""
    lc = LIFECYCLES[name]
    machine = JobMachine(lc, "p", stuck_after=1000)
    for state in [*sorted(lc.states), *extra]:
        try:
            machine.observe(Observation(state))
        except ProtocolError:
            break
    assert machine.state in lc.states | {ERROR}


@pytest.mark.parametrize("name", sorted(LIFECYCLES))
def test_docs_show_the_diagram_drawn_from_the_table(name: str) -> None:
    """docs/transport.md embeds exactly the diagram generated from each table."""
    assert diagram(LIFECYCLES[name]) in DOC.read_text(encoding="utf-8")


def test_diagram_lists_every_move_and_outcome() -> None:
    """Each allowed move and each terminal outcome appears in the diagram."""
    text = diagram(GENESYS_JOB)
    assert "[*] --> Registered" in text
    assert "Started --> Success" in text and "Failure --> [*]: failure" in text
