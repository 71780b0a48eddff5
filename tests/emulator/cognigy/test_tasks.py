"""Cognigy task lifecycles over real HTTP: done, error, stall, cancel, snapshot limit."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.cognigy.conftest import Client, finish, project_id


def _snapshot(c: httpx.Client, pid: str, name: str = "s") -> httpx.Response:
    return c.post("/new/v2.0/snapshots", json={"projectId": pid, "name": name, "description": ""})


def test_snapshot_task_runs_queued_active_done(emu: EmulatorThread, cognigy: Client) -> None:
    """A snapshot task goes queued → active → done and the snapshot then exists."""
    c = cognigy()
    pid = project_id(c, "Billing Assistant")
    created = _snapshot(c, pid, "before")
    assert created.status_code == 202 and created.json()["status"] == "queued"
    tid = created.json()["_id"]
    emu.ctx.clock.advance(1)
    assert c.get(f"/new/v2.0/tasks/{tid}").json()["status"] == "active"
    assert c.get("/new/v2.0/snapshots", params={"projectId": pid}).json()["total"] == 0
    done = finish(emu, c, created.json())
    assert done["status"] == "done" and done["currentStep"] == done["totalStep"]
    snaps = c.get("/new/v2.0/snapshots", params={"projectId": pid}).json()["items"]
    assert [s["name"] for s in snaps] == ["before"]
    # The task's data is untyped and never names what it made: clients find it by name.
    assert done["data"] == {"projectId": pid, "name": "before", "description": ""}
    listed = c.get("/new/v2.0/tasks").json()["items"]
    assert [t["_id"] for t in listed] == [tid]


def test_job_fail_rule_ends_in_error_with_reason(emu: EmulatorThread, cognigy: Client) -> None:
    """A scenario job_fail rule makes the task end in error with that failReason, no effect."""
    rule = {"vendor": "cognigy", "action": "job_fail", "job": "snapshot", "reason": "disk full"}
    httpx.post(emu.url + "/_emulator/scenario", json={"faults": [rule]})
    c = cognigy()
    pid = project_id(c, "Billing Assistant")
    task = finish(emu, c, _snapshot(c, pid).json())
    assert task["status"] == "error" and task["failReason"] == "disk full"
    assert c.get("/new/v2.0/snapshots", params={"projectId": pid}).json()["total"] == 0


def test_job_stall_rule_never_finishes(emu: EmulatorThread, cognigy: Client) -> None:
    """A stalled task stays active however far the clock moves."""
    rule = {"vendor": "cognigy", "action": "job_stall", "job": "snapshot-package"}
    httpx.post(emu.url + "/_emulator/scenario", json={"faults": [rule]})
    c = cognigy("prod")
    sid = c.get("/new/v2.0/snapshots").json()["items"][0]["_id"]
    task = c.post(f"/new/v2.0/snapshots/{sid}/package").json()
    emu.ctx.clock.advance(3600)
    read = c.get(f"/new/v2.0/tasks/{task['_id']}").json()
    assert read["status"] == "active" and read["currentStep"] < read["totalStep"]
    assert c.get(f"/new/v2.0/snapshots/{sid}").json()["isPackaged"] is False


def test_cancel_goes_cancelling_then_cancelled(emu: EmulatorThread, cognigy: Client) -> None:
    """Cancelling a running task passes through cancelling; its effect never lands."""
    c = cognigy()
    pid = project_id(c, "Billing Assistant")
    tid = _snapshot(c, pid).json()["_id"]
    r = c.post(f"/new/v2.0/tasks/{tid}/cancel")
    assert r.status_code == 200 and r.json() == {}  # ICancelTaskRestReturnValue_2_0 is empty
    assert c.get(f"/new/v2.0/tasks/{tid}").json()["status"] == "cancelling"
    emu.ctx.clock.advance(10)
    assert c.get(f"/new/v2.0/tasks/{tid}").json()["status"] == "cancelled"
    assert c.get("/new/v2.0/snapshots", params={"projectId": pid}).json()["total"] == 0
    again = c.post(f"/new/v2.0/tasks/{tid}/cancel")
    assert again.status_code == 400


def test_snapshot_limit_per_project(emu: EmulatorThread, cognigy: Client) -> None:
    """The eleventh snapshot of a project is refused with a clear error."""
    c = cognigy()
    pid = project_id(c, "Appointment Booking")
    for n in range(10):
        assert _snapshot(c, pid, f"s{n}").status_code == 202
        emu.ctx.clock.advance(5)
    r = _snapshot(c, pid, "one too many")
    assert r.status_code == 400 and "maximum number of 10" in r.json()["detail"]
