"""Job polling against the emulator's Cognigy tasks and Genesys jobs: every lifecycle."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import EmulatorThread
from cxops.errors import JobError, ProtocolError
from cxops.transport import ConnectionSettings, VendorClient, connect, open_client
from cxops.transport.jobs import cognigy_task, genesys_export_job, genesys_operation
from cxops.transport.lifecycle import Outcome
from cxops.transport.poller import Cadence, JobEvent, poll_job
from tests.transport.conftest import fast, scenario, settings_for

QUICK = Cadence(initial=0.02, minimum=0.01, maximum=0.2, after_eta=0.01)


async def snapshot_task(client: VendorClient) -> str:
    """Start a Cognigy snapshot task on the first project; return the task id."""
    projects = await client.get_json("/new/v2.0/projects")
    project = projects["items"][0]["_id"]
    task = await client.send_json(
        "POST", "/new/v2.0/snapshots", {"projectId": project, "name": "cxops-test"}
    )
    return str(task["_id"])


async def test_cognigy_task_success_with_progress_events(emu: EmulatorThread) -> None:
    """A snapshot task polls to done; events report rising progress and the end."""
    emu.ctx.clock.set_speed(10)
    events: list[JobEvent] = []
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        task = await snapshot_task(client)
        result = await poll_job(client, cognigy_task(task), cadence=QUICK, on_event=events.append)
    assert result.outcome is Outcome.SUCCESS and result.state == "done"
    assert result.body["_id"] == task
    assert events[-1].finished and events[-1].progress == 1.0
    progress = [e.progress for e in events if e.progress is not None]
    assert progress == sorted(progress) and len(set(progress)) > 1
    assert result.history[-1] == "done"


async def test_cognigy_task_failure_surfaces_the_vendor_reason(emu: EmulatorThread) -> None:
    """A task that fails raises JobError carrying the failReason the vendor sent."""
    scenario(
        emu,
        faults=[
            {
                "vendor": "cognigy",
                "action": "job_fail",
                "job": "snapshot*",
                "reason": "disk full on node 3",
            }
        ],
    )
    emu.ctx.clock.set_speed(10)
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        task = await snapshot_task(client)
        with pytest.raises(JobError, match="failed: disk full on node 3") as caught:
            await poll_job(client, cognigy_task(task), cadence=QUICK)
    assert caught.value.state == "error" and caught.value.job_id == task


async def test_stalled_task_is_reported_stuck(emu: EmulatorThread) -> None:
    """A task that stops moving is reported stuck after N unchanged polls, naming its state."""
    scenario(emu, faults=[{"vendor": "cognigy", "action": "job_stall", "job": "snapshot*"}])
    emu.ctx.clock.set_speed(20)
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        task = await snapshot_task(client)
        await asyncio.sleep(0.2)  # 4 emulated seconds: past its last phase's start
        with pytest.raises(JobError, match="stuck in active") as caught:
            await poll_job(client, cognigy_task(task), cadence=QUICK, stuck_after=4)
    assert caught.value.reason == "stuck"


async def test_deadline_ends_polling_on_time(emu: EmulatorThread) -> None:
    """A job outlasting the deadline raises JobError without polling past it."""
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        task = await snapshot_task(client)
        started = time.monotonic()
        with pytest.raises(JobError, match="deadline") as caught:
            await poll_job(client, cognigy_task(task), cadence=QUICK, deadline=0.4)
    assert time.monotonic() - started < 0.4 + 0.15
    assert caught.value.state in ("queued", "active")


async def test_cancel_asks_the_vendor_and_waits_for_cancelled(emu: EmulatorThread) -> None:
    """Setting the cancel event posts the vendor's cancel and ends with outcome cancelled."""
    emu.ctx.clock.set_speed(2)
    cancel = asyncio.Event()
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        task = await snapshot_task(client)

        def on_event(event: JobEvent) -> None:
            if event.polls == 2:
                cancel.set()

        result = await poll_job(
            client, cognigy_task(task), cadence=QUICK, cancel=cancel, on_event=on_event
        )
    assert result.outcome is Outcome.CANCELLED
    assert "cancelling" in result.history or result.state == "cancelled"
    ledger = httpx.get(f"{emu.url}/_emulator/ledger", params={"effect": "cognigy.task.cancel"})
    assert ledger.json()["total"] == 1


async def test_cancelling_the_waiting_task_cancels_the_job(emu: EmulatorThread) -> None:
    """If the awaiting task is cancelled (Ctrl-C), the vendor job is cancelled too."""
    async with open_client(settings_for(emu, "cognigy"), fast()) as client:
        task = await snapshot_task(client)
        waiter = asyncio.create_task(poll_job(client, cognigy_task(task), cadence=QUICK))
        await asyncio.sleep(0.1)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    jobs = httpx.get(f"{emu.url}/_emulator/jobs").json()["jobs"]
    assert next(j["state"] for j in jobs if j["id"] == task) in ("cancelling", "cancelled")


async def test_genesys_export_job_success_and_failure(emu: EmulatorThread) -> None:
    """Genesys export jobs go Registered → Started → Success; a failure names the message."""
    emu.ctx.clock.set_speed(10)
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        flows = await client.get_json("/api/v2/flows", params={"pageSize": 1})
        flow = flows["entities"][0]
        body = {"flows": [{"flow": {"id": flow["id"]}, "exportType": "Yaml"}]}
        job = await client.send_json("POST", "/api/v2/flows/export/jobs", body)
        result = await poll_job(client, genesys_export_job(job["id"]), cadence=QUICK)
        assert result.state == "Success"
        scenario(
            emu,
            faults=[
                {
                    "vendor": "genesys",
                    "action": "job_fail",
                    "job": "export",
                    "reason": "flow is locked by another user",
                }
            ],
        )
        job = await client.send_json("POST", "/api/v2/flows/export/jobs", body)
        with pytest.raises(JobError, match="flow is locked by another user"):
            await poll_job(client, genesys_export_job(job["id"]), cadence=QUICK)


async def test_genesys_publish_operation_reaches_success(emu: EmulatorThread) -> None:
    """A publish Operation is followed through actionStatus to SUCCESS."""
    emu.ctx.clock.set_speed(10)
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        flows = await client.get_json("/api/v2/flows", params={"pageSize": 1})
        flow_id = flows["entities"][0]["id"]
        op = await client.send_json(
            "POST", "/api/v2/flows/actions/publish", params={"flow": flow_id}
        )
        result = await poll_job(client, genesys_operation(flow_id, op["id"]), cadence=QUICK)
    assert result.state == "SUCCESS"
    assert result.history[-1] == "SUCCESS"


def backwards_vendor() -> Starlette:
    """A vendor whose task goes queued, active, then queued again (a broken contract)."""
    states = iter(["queued", "active", "queued"])

    async def task(request: Request) -> Response:
        body: dict[str, Any] = {
            "_id": "t-1",
            "status": next(states),
            "currentStep": 0,
            "totalStep": 4,
        }
        return JSONResponse(body)

    return Starlette(routes=[Route("/new/v2.0/tasks/t-1", task)])


async def test_illegal_transition_from_the_vendor_is_a_protocol_error() -> None:
    """A job the vendor reports going backwards raises ProtocolError naming job and states."""
    settings = ConnectionSettings(vendor="cognigy", base_url="http://v.test", api_key="k-1234")
    transport = httpx.ASGITransport(app=backwards_vendor())
    async with await connect(settings, fast(), transport=transport) as client:
        with pytest.raises(ProtocolError, match="t-1: illegal transition active -> queued"):
            await poll_job(client, cognigy_task("t-1"), cadence=QUICK)
