"""The Cognigy deployer asks the vendor before repeating an effect (a resumed run relies on it)."""

from __future__ import annotations

import asyncio
import threading

import httpx

from cxops.emulator import EmulatorThread
from cxops.transport import TransportOptions, open_client
from cxops.vendors.deploy import CognigyDeployer
from cxops.vendors.deploy.cognigy_package import id_pairs
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings, ledger


def _project(emu: EmulatorThread, tenant: str) -> str:
    head = {"X-API-Key": f"cognigy-{tenant}-admin-apikey"}
    rows = httpx.get(f"{emu.base('cognigy', tenant)}/new/v2.0/projects", headers=head).json()
    return str(next(p["_id"] for p in rows["items"] if p["name"] == PROJECT))


def test_repeated_effects_happen_once(fast_emu: EmulatorThread) -> None:
    """Snapshot, package, upload, merge, re-map and restore called twice each reach the vendor
    once: what a task made is found by its name, a merge or restore by its task since the object
    it acts on was made (never by the task's untyped ``data``)."""
    dev_pid, prod_pid = _project(fast_emu, "dev"), _project(fast_emu, "prod")
    remapped: list[list[str]] = []

    async def twice() -> None:
        opts = TransportOptions(**FAST)
        async with (
            open_client(admin_settings(fast_emu, "dev"), opts) as dc,
            open_client(admin_settings(fast_emu, "prod"), opts) as pc,
        ):
            dev, prod = CognigyDeployer(dc), CognigyDeployer(pc)
            ids = [r["_id"] for r in (await dev.resources(dev_pid)).values()]
            for _ in range(2):
                snap = await prod.snapshot(prod_pid, "cxops-t-before", "k-snap")
                taken = await prod.find_named("snapshots", prod_pid, "cxops-t-before")
                pkg = await dev.package(dev_pid, ids, "cxops-t-package", "k-pkg")
                data = await dev.download_package(pkg)  # opaque bytes, never opened
                up = await prod.upload_package(prod_pid, data, "cxops-t-package", "k-up")
                row = await prod.find_named("packages", prod_pid, "cxops-t-package")
                assert row is not None and taken is not None
                await prod.merge(prod_pid, up, ids, int(row["createdAt"]), "k-merge")
                pairs = id_pairs(await dev.resources(dev_pid), await prod.resources(prod_pid))
                remapped.append(await prod.remap(prod_pid, pairs, "k-remap"))
                await prod.restore(prod_pid, snap, int(taken["createdAt"]), "k-restore")

    asyncio.run(twice())
    # The first merge brought dev's lexicon _id into Main's attachedLexicons: re-pointed once;
    # the second round finds prod's own ids again (restored) and patches nothing.
    assert remapped == [["Main"], []]
    effects = [r["effect"] for r in ledger(fast_emu, "prod") + ledger(fast_emu, "dev")]
    for effect in ("snapshot.create", "package.create", "package.upload", "package.merge",
                   "snapshot.restore", "flow.update"):  # fmt: skip
        assert effects.count(f"cognigy.{effect}") == 1, effect


def test_snapshot_limit_prunes_the_oldest_cxops_rollback_point(fast_emu: EmulatorThread) -> None:
    """At 10 snapshots the oldest cxops-*-before goes; the fixture's v1.0.0 stays."""
    pid = _project(fast_emu, "prod")
    base, head = fast_emu.base("cognigy", "prod"), {"X-API-Key": "cognigy-prod-admin-apikey"}
    for i in range(9):  # + the fixture's "v1.0.0" = the limit of 10
        body = {"projectId": pid, "name": f"cxops-old{i}-before", "description": ""}
        httpx.post(f"{base}/new/v2.0/snapshots", json=body, headers=head).raise_for_status()
        fast_emu.ctx.clock.advance(5)  # each task ends before the next starts (ordered times)

    async def take() -> str:
        async with open_client(admin_settings(fast_emu, "prod"), TransportOptions(**FAST)) as c:
            return await CognigyDeployer(c).snapshot(pid, "cxops-new-before", "k-snap")

    sid = asyncio.run(take())
    rows = httpx.get(f"{base}/new/v2.0/snapshots", params={"projectId": pid, "limit": 100},
                     headers=head).json()["items"]  # fmt: skip
    names = {r["name"]: r["_id"] for r in rows}
    assert len(rows) == 10 and names["cxops-new-before"] == sid
    assert "cxops-old0-before" not in names and {"v1.0.0", "cxops-old1-before"} <= set(names)
    effects = [r["effect"] for r in ledger(fast_emu, "prod")]
    assert effects.count("cognigy.snapshot.delete") == 1


def test_snapshot_upload_at_the_limit_spares_what_an_endpoint_runs(
    fast_emu: EmulatorThread,
) -> None:
    """At 10 snapshots an upload prunes the oldest cxops release no endpoint runs: the one the
    endpoint points at stays, the fixture's v1.0.0 stays, one delete, one upload."""
    pid = _project(fast_emu, "prod")
    base, head = fast_emu.base("cognigy", "prod"), {"X-API-Key": "cognigy-prod-admin-apikey"}
    api = f"{base}/new/v2.0"
    for i in range(9):  # + the fixture's "v1.0.0" = the limit of 10
        body = {"projectId": pid, "name": f"cxops-old{i}-release", "description": ""}
        httpx.post(f"{api}/snapshots", json=body, headers=head).raise_for_status()
        fast_emu.ctx.clock.advance(5)  # each task ends before the next starts (ordered times)
    rows = httpx.get(f"{api}/snapshots", params={"projectId": pid, "limit": 100}, headers=head)
    names = {r["name"]: r["_id"] for r in rows.json()["items"]}
    ep = httpx.get(f"{api}/endpoints", params={"projectId": pid}, headers=head).json()["items"][0]
    running = names["cxops-old0-release"]
    httpx.patch(
        f"{api}/endpoints/{ep['_id']}", json={"entrypoint": running}, headers=head
    ).raise_for_status()

    async def transfer() -> tuple[str, str, bool, bool]:
        opts = TransportOptions(**FAST)
        async with (
            open_client(admin_settings(fast_emu, "dev"), opts) as dc,
            open_client(admin_settings(fast_emu, "prod"), opts) as pc,
        ):
            dev, prod = CognigyDeployer(dc), CognigyDeployer(pc)
            src = await dev.snapshot(_project(fast_emu, "dev"), "cxops-new-release", "k-snap")
            await dev.package_snapshot(src, "k-pkg")
            await dev.package_snapshot(src, "k-pkg")  # packaged already: nothing to do
            data = await dev.download_snapshot(src)
            sid = await prod.upload_snapshot(pid, data, "cxops-new-release", "k-up")
            again = await prod.upload_snapshot(pid, data, "cxops-new-release", "k-up")
            moved = await prod.point_endpoint(ep["_id"], sid, "k-ep")
            moved_again = await prod.point_endpoint(ep["_id"], sid, "k-ep")
            return sid, again, moved, moved_again

    sid, again, moved, moved_again = asyncio.run(transfer())
    assert sid == again and moved and not moved_again
    rows = httpx.get(f"{api}/snapshots", params={"projectId": pid, "limit": 100}, headers=head)
    left = {r["name"]: r["_id"] for r in rows.json()["items"]}
    assert len(left) == 10 and left["cxops-new-release"] == sid
    assert "cxops-old1-release" not in left  # the oldest one nothing ran
    assert {"v1.0.0", "cxops-old0-release", "cxops-old2-release"} <= set(left)
    effects = [r["effect"] for r in ledger(fast_emu, "prod")]
    assert effects.count("cognigy.snapshot.delete") == 1
    assert effects.count("cognigy.snapshot.upload") == 1
    assert effects.count("cognigy.endpoint.repoint") == 2  # the test's own PATCH + one
    dev_effects = [r["effect"] for r in ledger(fast_emu, "dev")]
    assert dev_effects.count("cognigy.snapshot.package") == 1


def test_snapshot_upload_follows_an_upload_still_running(fast_emu: EmulatorThread) -> None:
    """An upload task started before a crash (still queued: the clock is nearly stopped) is
    followed and its snapshot found by name: no second upload."""
    pid = _project(fast_emu, "prod")
    base, head = fast_emu.base("cognigy", "prod"), {"X-API-Key": "cognigy-prod-admin-apikey"}
    opts = TransportOptions(**FAST)

    async def release() -> bytes:
        async with open_client(admin_settings(fast_emu, "dev"), opts) as dc:
            dev = CognigyDeployer(dc)
            src = await dev.snapshot(_project(fast_emu, "dev"), "cxops-t-release", "k-snap")
            await dev.package_snapshot(src, "k-pkg")
            return await dev.download_snapshot(src)

    data = asyncio.run(release())
    fast_emu.ctx.clock.set_speed(0.001)  # the task stays queued until the clock is advanced
    started = httpx.post(
        f"{base}/new/v2.0/snapshots/upload",
        data={"projectId": pid},
        files={"file": ("cxops-t-release.zip", data, "application/zip")},
        headers=head,
    )
    assert started.status_code == 202
    threading.Timer(0.5, fast_emu.ctx.clock.advance, args=(5.0,)).start()

    async def resume() -> str:
        async with open_client(admin_settings(fast_emu, "prod"), opts) as pc:
            return await CognigyDeployer(pc).upload_snapshot(pid, data, "cxops-t-release", "k")

    sid = asyncio.run(resume())
    fast_emu.ctx.clock.set_speed(200)
    task = httpx.get(f"{base}/new/v2.0/tasks/{started.json()['_id']}", headers=head).json()
    # The task's data never names what it made: the snapshot was found by its name.
    assert task["status"] == "done" and sid not in str(task["data"])
    effects = [r["effect"] for r in ledger(fast_emu, "prod")]
    assert effects.count("cognigy.snapshot.upload") == 1
