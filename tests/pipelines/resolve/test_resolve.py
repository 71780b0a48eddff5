"""resolve against the emulator over real HTTP: cycles with exact paths, version conflicts,
byte-identical locks across runs and page orders, the build check, registry pushes."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.cognigy.fixtures import FLAWS as COGNIGY_FLAWS
from cxops.emulator.genesys.fixtures import FLAWS as GENESYS_FLAWS
from cxops.errors import Conflict
from cxops.pipelines.resolve import Publish, ResolveOptions, ResolveReport, run_resolve
from cxops.store import Store
from cxops.transport import TransportOptions
from tests.pipelines.compile.conn import settings

# The emulator is local: the default pace (10 requests/s) would only slow the tests down.
FAST = TransportOptions(rate=5000, burst=5000, concurrency=16)


def _resolve(emu: EmulatorThread, vendor: str, repo: Path, **kw: Any) -> ResolveReport:
    options = ResolveOptions(repo=repo, projects=kw.pop("projects", None))
    report, _ = asyncio.run(run_resolve(settings(emu, vendor), options, transport=FAST, **kw))
    return report


def _scenario(emu: EmulatorThread, doc: dict[str, Any]) -> None:
    assert httpx.post(f"{emu.url}/_emulator/scenario", json=doc).status_code == 200


def _names(emu: EmulatorThread) -> dict[str, str]:
    flows = httpx.get(f"{emu.base('genesys', 'dev')}/_emulator/summary").json()["flows"]
    return {fid: name for name, fid in flows.items()}


def test_genesys_cycles_and_conflicts_are_reported_with_exact_paths(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """The module cycle comes with its full path in call order, the two range problems and the
    deleted data action on the nodes the fixtures name, each at a line of the written file."""
    report = _resolve(emu, "genesys", tmp_path)
    names = _names(emu)
    cycles = [f for f in report.findings if f.code == "CX101"]
    assert len(cycles) == 1
    steps = cycles[0].message.removeprefix("dependency cycle: ").split(" → ")
    assert steps[0] == steps[-1]
    ring = [s.removeprefix("flow '").removesuffix("'") for s in steps[:-1]]
    start = ring.index("Flawed - Module Cycle A")
    assert ring[start:] + ring[:start] == [f"Flawed - Module Cycle {x}" for x in "ABC"]
    flaw = next(f for f in GENESYS_FLAWS if f["code"] == "CX101")
    where = [cycles[0].location, *cycles[0].related]
    assert (flaw["flow"], flaw["node"]) in {(w.flow, w.node) for w in where}
    for code in ("CX105", "CX106"):
        want = {(f["flow"], f["node"]) for f in GENESYS_FLAWS if f["code"] == code}
        got = {(w.flow, w.node) for f in report.findings if f.code == code
               for w in (f.location, *f.related)}  # fmt: skip
        assert want <= got, (code, {names.get(str(w[0])) for w in want - got})
    assert {f.code for f in report.findings} == {"CX101", "CX105", "CX106"}
    for f in report.findings:
        loc = f.location
        assert loc.file and loc.line
        line = (tmp_path / loc.file).read_text(encoding="utf-8").split("\n")[loc.line - 1]
        assert line.strip() == "{"  # the node object that holds the reference


def test_genesys_lock_is_byte_identical_across_runs_and_page_orders(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """Three runs, the last two with shuffled pages under different seeds and a page size the
    emulator's shuffling spreads over many pages: the same lock bytes every time."""
    first = _resolve(emu, "genesys", tmp_path / "a")
    again = _resolve(emu, "genesys", tmp_path / "b")
    _scenario(emu, {"seed": 1, "shuffle_pages": True})
    shuffled = _resolve(emu, "genesys", tmp_path / "c")
    _scenario(emu, {"seed": 2, "shuffle_pages": True})
    other = _resolve(emu, "genesys", tmp_path / "d")
    data = [(tmp_path / d / "cxops.lock").read_bytes() for d in "abcd"]
    assert data[0] == data[1] == data[2] == data[3]
    assert first.lock_text == again.lock_text == shuffled.lock_text == other.lock_text
    assert first.flows == 21 and first.dependencies > 0
    # The shuffle is real: the same listing comes back in another order.
    token = httpx.post(
        f"{emu.base('genesys', 'dev')}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("genesys-dev-admin", "genesys-dev-admin-secret"),
    ).json()["access_token"]
    orders = []
    for seed in (1, 2):
        _scenario(emu, {"seed": seed, "shuffle_pages": True})
        page = httpx.get(
            f"{emu.base('genesys', 'dev')}/api/v2/flows",
            params={"pageSize": 100},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        orders.append([f["id"] for f in page["entities"]])
    assert sorted(orders[0]) == sorted(orders[1]) and orders[0] != orders[1]


def test_cognigy_cycle_and_lock_from_node_references_and_project_graph(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """Cognigy: the flow cycle of the flawed project with its full path, and the same lock
    bytes when the project graph is served in another order."""
    cycle = next(f for f in COGNIGY_FLAWS if f["code"] == "CX101")
    report = _resolve(emu, "cognigy", tmp_path / "a", projects=[cycle["project"]])
    cycles = [f for f in report.findings if f.code == "CX101"]
    assert len(cycles) == 1
    ring = [s.removeprefix("flow '").removesuffix("'")
            for s in cycles[0].message.removeprefix("dependency cycle: ").split(" → ")]  # fmt: skip
    assert ring[0] == ring[-1] and len(ring) == 4
    start = ring.index("Cycle A")
    assert (ring[start:-1] + ring[:start]) == ["Cycle A", "Cycle B", "Cycle C"]
    # FLAWS names flows by Cognigy _id; the bundle keys them by referenceId and keeps the _id.
    files = {w.file for w in (cycles[0].location, *cycles[0].related) if w.file}
    ids = {json.loads((tmp_path / "a" / f).read_text())["properties"]["_id"] for f in files}
    assert cycle["flow"] in ids and len(ids) == 3
    _scenario(emu, {"seed": 5, "shuffle_pages": True})
    shuffled = _resolve(emu, "cognigy", tmp_path / "b", projects=[cycle["project"]])
    assert shuffled.lock_text == report.lock_text
    assert (tmp_path / "a" / "cxops.lock").read_bytes() == (
        tmp_path / "b" / "cxops.lock"
    ).read_bytes()


def test_build_not_operational_is_triggered_and_awaited(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """Dependency tracking NOTBUILT: resolve triggers a build (one ledger effect), waits for
    OPERATIONAL, then resolves; the run, its steps and audit entries are in the store."""
    emu.ctx.clock.set_speed(20)
    base = emu.base("genesys", "dev")
    assert httpx.put(f"{base}/_emulator/dependencytracking", json={"status": "NOTBUILT"}).is_success
    store = Store.open(f"sqlite:///{tmp_path}/state.db")
    report = _resolve(emu, "genesys", tmp_path / "repo", store=store)
    assert report.build is not None and report.build.triggered
    assert report.build.seen[0] == "NOTBUILT" and report.build.seen[-1] == "OPERATIONAL"
    ledger = httpx.get(f"{emu.url}/_emulator/ledger", params={"vendor": "genesys"}).json()
    effects = [e["effect"] for e in ledger["entries"] if e["effect"]]
    assert effects == ["genesys.dependencytracking.build"]
    run = store.runs.list(kind="resolve")[0]
    assert run.status == "partial" and run.summary and run.summary["findings"]["error"] == 4
    assert [s.status for s in store.steps.for_run(run.id)] == ["succeeded"]
    assert [e.action for e in store.audit.iter()] == ["resolve.lock"]
    store.close()


def test_registry_push_is_checked_and_never_replaces_another_artifact(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """The lock is pushed with its SHA-256; pushing it again is a no-op; another lock under
    the same version is refused (by cxops, and by the registry with 409 if asked directly)."""
    registry = f"{emu.url}/_emulator/registry"
    publish = Publish(registry, "lock", "1.0.0")
    options = ResolveOptions(repo=tmp_path / "a", projects=["Digital Channels"])
    report, pushed = asyncio.run(
        run_resolve(settings(emu, "genesys"), options, publish=publish, transport=FAST)
    )
    assert pushed is not None and pushed.status == "created"
    stored = httpx.get(f"{registry}/lock/1.0.0")
    assert stored.content == report.lock_text.encode("utf-8")
    assert stored.headers["x-checksum"] == pushed.checksum
    _, again = asyncio.run(
        run_resolve(settings(emu, "genesys"), options, publish=publish, transport=FAST)
    )
    assert again is not None and again.status == "unchanged"
    other = ResolveOptions(repo=tmp_path / "b", projects=["Home"])
    with pytest.raises(Conflict, match="refusing to replace"):
        asyncio.run(run_resolve(settings(emu, "genesys"), other, publish=publish, transport=FAST))
    assert httpx.get(f"{registry}/lock/1.0.0").content == stored.content
    checksum = hashlib.sha256(b"x").hexdigest()
    direct = httpx.post(f"{registry}/lock/1.0.0", content=b"x", headers={"X-Checksum": checksum})
    assert direct.status_code == 409
    wrong = httpx.post(f"{registry}/lock/2.0.0", content=b"x", headers={"X-Checksum": "00"})
    assert wrong.status_code == 400


def test_all_versions_walks_what_every_flow_version_consumes(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """--all-versions: every version of every flow is walked (all four of Main Line IVR, the
    newest consuming Authenticate Caller), sorted, deleted dependencies marked with '!'."""
    options = ResolveOptions(repo=tmp_path, projects=["Home"], all_versions=True)
    report, _ = asyncio.run(run_resolve(settings(emu, "genesys"), options, transport=FAST))
    assert report.versions is not None
    ids = {name: fid for fid, name in _names(emu).items()}
    main = report.versions[ids["Main Line IVR"]]
    assert list(main) == ["1.0", "2.0", "3.0", "4.0"]
    auth = f"COMMONMODULEFLOW:{ids['Authenticate Caller']}"
    assert auth in main["4.0"]
    assert all(deps == sorted(deps) for v in report.versions.values() for deps in v.values())
    deleted = report.versions[ids["Flawed - Deleted Data Action"]]["1.0"]
    assert any(d.startswith("DATAACTION:") and d.endswith("!") for d in deleted)
    assert report.summary()["flow_versions"] == sum(len(v) for v in report.versions.values())
