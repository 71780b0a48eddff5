"""Cognigy promotion by endpoint re-point (run param ``mechanism: repoint``) on the emulator.

The release travels as a snapshot of the dev project, uploaded into the prod project; prod's
endpoints are then pointed at it. The prod project's own content never changes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.errors import UsageError
from cxops.pipelines.connections import remember
from cxops.pipelines.promote.cognigy import CognigyStrategy
from cxops.pipelines.promote.runner import PromoteOptions, promote_params
from cxops.pipelines.promote.strategy import Context
from cxops.store import Store
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings, ledger
from tests.pipelines.promote.test_promote import promote
from tests.pipelines.promote.test_rollback import FAULTS


def _endpoints(emu: EmulatorThread, tenant: str) -> dict[str, str]:
    """Endpoint id → entrypoint of the fixture project on one tenant."""
    base, head = emu.base("cognigy", tenant), {"X-API-Key": f"cognigy-{tenant}-admin-apikey"}
    projects = httpx.get(f"{base}/new/v2.0/projects", headers=head).json()["items"]
    pid = next(p["_id"] for p in projects if p["name"] == PROJECT)
    rows = httpx.get(f"{base}/new/v2.0/endpoints", params={"projectId": pid}, headers=head).json()[
        "items"
    ]
    # The listing has no entrypoint (IEndpointIndexItem_2_0): each endpoint is read on its own.
    docs = [httpx.get(f"{base}/new/v2.0/endpoints/{e['_id']}", headers=head).json() for e in rows]
    return {str(e["_id"]): str(e["entrypoint"]) for e in docs}


def _effects(emu: EmulatorThread, tenant: str) -> list[str]:
    return [r["effect"] for r in ledger(emu, tenant) if r["effect"]]


def _params(emu: EmulatorThread, store_url: str) -> dict[str, Any]:
    options = PromoteOptions(project=PROJECT, store=store_url, transport=FAST, mechanism="repoint")
    dev, prod = admin_settings(emu, "dev"), admin_settings(emu, "prod")
    remember(dev)  # the secrets stay in this process, as runner.start_promote keeps them
    remember(prod)
    params = promote_params(dev, prod, options, "")
    params["store"] = store_url
    return params


def test_repoint_promotes_by_endpoint(fast_emu: EmulatorThread, store_url: str) -> None:
    """dev → prod by re-point: one snapshot upload, one PATCH per endpoint, no merge; the
    endpoints run the uploaded snapshot, smoke runs through them, and the strategy's parity of
    what they run is 1.0; re-running the stages changes nothing more."""
    before = _endpoints(fast_emu, "prod")
    out = promote(fast_emu, store_url, mechanism="repoint")
    assert out["outcome"] == "promoted", out.get("error")
    assert out["plan"]["stages"] == ["snapshot", "transfer", "repoint"]
    assert out["rollback_point"]["entrypoints"] == before
    sid = out["deploy"]["transfer"]["snapshot_id"]
    after = _endpoints(fast_emu, "prod")
    assert set(after) == set(before) and set(after.values()) == {sid}
    assert sid not in before.values()
    assert out["verify"]["health"]["entrypoints"] == after
    assert out["verify"]["health"]["not_repointed"] == []
    runs = out["verify"]["smoke"]["runs"]
    assert {r["endpoint"] for r in runs} == set(after)
    assert all(r["entrypoint"] == sid and r["status"] == "successful" for r in runs)
    prod = _effects(fast_emu, "prod")
    assert prod.count("cognigy.snapshot.upload") == 1
    assert prod.count("cognigy.endpoint.repoint") == len(before)
    for absent in ("cognigy.package.merge", "cognigy.package.upload", "cognigy.snapshot.create"):
        assert absent not in prod, absent
    dev = _effects(fast_emu, "dev")
    assert dev.count("cognigy.snapshot.create") == 1 and dev.count("cognigy.snapshot.package") == 1
    # The prod project itself (exported again by verify) is what it was: the endpoints run
    # the snapshot instead.
    assert out["target_hash_after"] == out["plan"]["target_hash_before"]

    async def again() -> tuple[dict[str, Any], dict[str, Any]]:
        ctx = Context(out["run"], _params(fast_emu, store_url))
        try:
            how = CognigyStrategy(ctx)
            planned, point, done = out["plan"], out["rollback_point"], dict(out["deploy"])
            redone = {s: await how.deploy(s, planned, point, done) for s in planned["stages"]}
            return redone, await how.verify(planned, done)
        finally:
            await ctx.aclose()

    redone, checked = asyncio.run(again())
    assert redone["snapshot"]["snapshot_id"] == out["deploy"]["snapshot"]["snapshot_id"]
    assert redone["transfer"]["snapshot_id"] == sid
    assert not any(e["patched"] for e in redone["repoint"]["endpoints"].values())
    # The parity of what the endpoints run (the workflow's own compares the prod project).
    assert checked["passed"] is True
    assert checked["parity"]["score"] == 1.0, checked["parity"]["differences"]
    assert checked["parity"]["compared"] > 100
    assert "same hash" in checked["parity"]["of"]
    prod = _effects(fast_emu, "prod")
    assert prod.count("cognigy.snapshot.upload") == 1
    assert prod.count("cognigy.endpoint.repoint") == len(before)
    # Verify never downloads the file (opaque): it compares the snapshots' hashes.
    assert prod.count("cognigy.snapshot.package") == 0
    assert _effects(fast_emu, "dev").count("cognigy.snapshot.create") == 1


#: Where a re-point promotion fails: prod refuses the PATCH (the ``repoint`` stage raises,
#: nothing moved), or prod refuses to schedule its playbook (verify fails, the endpoint moved).
REPOINT_FAULTS: dict[str, dict[str, Any]] = {
    "repoint": {
        "vendor": "cognigy",
        "tenant": "prod",
        "method": "PATCH",
        "path": "/new/v2.0/endpoints/*",
        "action": "error",
        "status": 400,
    },
    "verify": FAULTS["verify"],
}


@pytest.mark.parametrize("where", sorted(REPOINT_FAULTS))
def test_failure_repoints_back(fast_emu: EmulatorThread, store_url: str, where: str) -> None:
    """A failure after the rollback point leaves every endpoint where it was (re-pointed back
    when it had moved); the restore is an audited rollback run whose report lists the
    entrypoints before and after it."""
    before = _endpoints(fast_emu, "prod")
    fast_emu.ctx.load_scenario(Scenario.parse({"faults": [REPOINT_FAULTS[where]]}))
    out = promote(fast_emu, store_url, mechanism="repoint")
    fast_emu.ctx.load_scenario(Scenario.parse({}))
    assert out["outcome"] == "rolled_back", out.get("error")
    assert _endpoints(fast_emu, "prod") == before
    rollback = out["rollback"]
    assert rollback["identical"] is True and rollback["point"]["entrypoints"] == before
    restored = rollback["restored"]
    assert restored["entrypoints_after_restore"] == before
    assert restored["entrypoints_identical"] is True
    moves = [r for r in ledger(fast_emu, "prod") if r["effect"] == "cognigy.endpoint.repoint"]
    if where == "verify":
        smoke = out["verify"]["smoke"]
        assert out["verify"]["passed"] is False and "400" in smoke["runs"][0]["error"], smoke
        sid = out["deploy"]["transfer"]["snapshot_id"]
        assert set(restored["entrypoints_before_restore"].values()) == {sid}
        assert restored["patched"] == sorted(before)
        assert len(moves) == 2 * len(before)  # there and back, once each
    else:
        assert "verify" not in out and "400" in out["error"]
        assert restored["entrypoints_before_restore"] == before
        assert restored["patched"] == [] and moves == []  # nothing moved, nothing to move back
    with Store.open(store_url) as st:
        assert st.audit.verify().ok
        run = st.runs.get(f"{out['run']}-rollback")
        assert run is not None and run.kind == "rollback" and run.status == "succeeded"
        assert [e.type for e in st.outbox.events()] == [
            "flow.promote.started",
            "flow.promote.rolled_back",
        ]


def test_rerun_transfer_does_not_upload_twice(fast_emu: EmulatorThread, store_url: str) -> None:
    """The transfer stage run again (as after a crash past its vendor call) finds the uploaded
    snapshot by name in prod and uploads nothing; re-pointing twice patches once, and so does
    restoring twice."""
    run_id = "0123456789abcdef0123456789abcdef"
    params = _params(fast_emu, store_url)

    async def stages() -> list[dict[str, Any]]:
        ctx = Context(run_id, params)
        try:
            adapters = {s: await ctx.adapter(s) for s in ("source", "target")}
            planned = {
                s: {"id": p.id, "name": p.name}
                for s, a in adapters.items()
                for p in await a.list_projects()
                if p.name == PROJECT
            }
            how = CognigyStrategy(ctx)
            point = await how.rollback_point(planned)
            done = {"snapshot": await how.deploy("snapshot", planned, point, {})}
            first = await how.deploy("transfer", planned, point, done)
            second = await how.deploy("transfer", planned, point, done)
            done["transfer"] = second
            moved = [await how.deploy("repoint", planned, point, done) for _ in range(2)]
            restored = [await how.restore(planned, point) for _ in range(2)]
            return [first, second, *moved, *restored]
        finally:
            await ctx.aclose()

    first, second, moved, moved_again, back, back_again = asyncio.run(stages())
    assert first["snapshot_id"] == second["snapshot_id"] and "bytes" not in second
    assert all(e["patched"] for e in moved["endpoints"].values())
    assert not any(e["patched"] for e in moved_again["endpoints"].values())
    # Restoring twice (a rollback re-run after a crash) patches each endpoint back once.
    assert back["patched"] == sorted(moved["endpoints"]) and back_again["patched"] == []
    assert back_again["entrypoints_after_restore"] == back["entrypoints_after_restore"]
    assert back["entrypoints_after_restore"] == _endpoints(fast_emu, "prod")
    assert {e["before"] for e in moved["endpoints"].values()} == set(
        back["entrypoints_after_restore"].values()
    )
    prod = _effects(fast_emu, "prod")
    assert prod.count("cognigy.snapshot.upload") == 1
    assert prod.count("cognigy.endpoint.repoint") == 2 * len(moved["endpoints"]) == 2


def test_repoint_refuses_a_scoped_promotion() -> None:
    """An endpoint runs a whole snapshot: --flows with repoint is a usage error at plan time."""
    how = CognigyStrategy(Context("r", {"mechanism": "repoint"}))
    with pytest.raises(UsageError, match="re-point"):
        how.stages(None, None, ["flow-ref"])  # type: ignore[arg-type]
    assert how.stages(None, None, None) == ["snapshot", "transfer", "repoint"]  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="mechanism"):
        CognigyStrategy(Context("r", {"mechanism": "swap"}))
