"""Incremental export (issue #19): the emulator over HTTP, a real git repository, a SQLite store.

Requests are counted in the emulator's ledger; "flow fetches" are the requests that read one
flow (Cognigy ``/flows/{id}`` and below, Genesys ``/flows/{id}/versions...``, CXone ``GET
scripts?scriptPath=``), which an unchanged flow must never cost.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.analysis.lock import loads_lock
from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.runner import ExportOptions, run_export
from tests.pipelines.conftest import FAST, emulator_settings

SMALL = "Flawed - Flow Cycle"  # a five-flow Cognigy fixture project
_FLOW_READ = {
    "cognigy": re.compile(r"^/new/v2\.0/flows/[^/?]+"),
    "genesys": re.compile(r"^/api/v2/flows/[^/?]+/versions"),
    "cxone": re.compile(r"^/inContactAPI/services/v[0-9.]+/scripts$"),
}


def _export(emu: EmulatorThread, vendor: str, repo: Path, store: str, **kw: Any) -> dict[str, Any]:
    settings = emulator_settings(emu, vendor, "dev")
    scope = {"project": SMALL} if vendor == "cognigy" else {"all": True}
    options = ExportOptions(repo=repo, store=store, transport=FAST, **{**scope, **kw})
    return asyncio.run(run_export(settings, options))


def _flow_reads(emu: EmulatorThread, vendor: str) -> list[str]:
    """The paths of this vendor's flow reads since the last ledger clear."""
    return [
        s.path
        for s in emu.ctx.ledger.requests
        if s.vendor == vendor and s.method == "GET" and _FLOW_READ[vendor].match(s.path)
    ]


def _files(repo: Path) -> dict[str, bytes]:
    """Every file cxops wrote (flows, lock, report), by path."""
    out = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo).as_posix()
        if path.is_file() and not rel.startswith(".git/"):
            out[rel] = path.read_bytes()
    return out


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def _unstamped(emu: EmulatorThread, vendor: str, flow: str, tenant: str = "dev") -> None:
    r = httpx.post(
        f"{emu.url}/_emulator/unstamped",
        json={"vendor": vendor, "tenant": tenant, "flow": flow, "text": "silently changed"},
    )
    assert r.status_code == 200, r.text


def _cognigy_flows(emu: EmulatorThread, project_name: str) -> tuple[str, list[dict[str, Any]]]:
    state = emu.ctx.tenant("cognigy", "dev")
    pid = next(p for p, doc in state.projects.items() if doc["name"] == project_name)
    flows = sorted(state.content[pid]["flows"].values(), key=lambda f: f["_id"])
    return pid, flows


def _stamped_change(emu: EmulatorThread, vendor: str) -> str:
    """Change one flow the way the vendor's own API does (its stamp moves); its bundle id."""
    if vendor == "cognigy":
        info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
        admin = {"X-API-Key": info["credentials"]["admin"]["api_key"]}
        _, flows = _cognigy_flows(emu, SMALL)
        flow = flows[0]
        node = flow["chart"]["nodes"][0]["_id"]
        r = httpx.patch(
            f"{info['api']}/flows/{flow['_id']}/chart/nodes/{node}",
            json={"label": "changed with a stamp"},
            headers=admin,
        )
        assert r.status_code < 300, r.text
        return str(flow.get("referenceId") or flow["_id"])
    if vendor == "genesys":
        state = emu.ctx.tenant("genesys", "dev")
        entity = state.flows[sorted(state.flows)[0]]
        config = copy.deepcopy((entity.published_version() or entity.latest()).config)
        config["description"] = "changed with a stamp"
        version = state.add_version(entity, config, "SAVE", emu.ctx.clock.now())
        state.publish(entity, version.id, emu.ctx.clock.now())
        return str(entity.id)
    state = emu.ctx.tenant("cxone", "dev")
    path = sorted(p for p in state.paths() if state.is_active(p))[0]
    script = state.document(path, state.current(path))
    first = sorted(script["actions"])[0]
    script["actions"][first]["caption"] = "changed with a stamp"
    state.commit(script, "2026-02-02T00:00:00Z", "test")
    return str(path)


VENDORS = ["cognigy", "genesys", "cxone"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_unchanged_tenant_fetches_no_flow(
    emu: EmulatorThread, tmp_path: Path, vendor: str, engine_down: None
) -> None:
    """Once the lock records stamps, a second export of an unchanged tenant reads no flow."""
    repo, store = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    first = _export(emu, vendor, repo, store)
    assert first["status"] == "succeeded" and first["pass"] == "full", first
    lock = loads_lock((repo / "cxops.lock").read_text())
    assert lock["flow"] and all(r.get("stamp") for r in lock["flow"])
    emu.ctx.ledger.clear()
    second = _export(emu, vendor, repo, store)
    assert second["pass"] == "incremental", second
    assert _flow_reads(emu, vendor) == []
    assert all(p.get("unchanged") for p in second["projects"]), second["projects"]
    assert second["changed"] is False and second["commit"] is None


@pytest.mark.parametrize("vendor", VENDORS)
def test_one_changed_flow_is_fetched_alone_and_files_equal_a_full_export(
    emu: EmulatorThread, tmp_path: Path, vendor: str, engine_down: None
) -> None:
    """A flow changed through the vendor's API is the only flow read and the only flow file
    committed; the repository then holds byte for byte what a full export writes."""
    repo, store = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    _export(emu, vendor, repo, store)
    changed = _stamped_change(emu, vendor)
    emu.ctx.ledger.clear()
    out = _export(emu, vendor, repo, store)
    assert out["pass"] == "incremental" and out["changed"] is True, out
    reads = _flow_reads(emu, vendor)
    assert reads, "the changed flow was not read"
    if vendor == "cxone":
        assert len(reads) == 1
    else:
        assert len({p.split("/")[4] for p in reads}) == 1, reads  # /<api>/<v>/flows/<id>/...
    touched = _git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split()
    flow_files = [f for f in touched if f.startswith("flows/") and not f.endswith("_bundle.json")]
    assert len(flow_files) == 1, touched
    held = json.loads(_git(repo, "show", f"HEAD:{flow_files[0]}"))["id"]  # named by its name
    assert held == changed or vendor == "cognigy"
    full = _export(emu, vendor, tmp_path / "full", store, mode="full")
    assert full["pass"] == "full"
    assert _files(repo) == _files(tmp_path / "full")


def test_deleted_and_new_flows_and_full_reads_everything(
    emu: EmulatorThread, tmp_path: Path, engine_down: None
) -> None:
    """A script deleted in the tenant is removed from the repository, a new one is fetched
    alone and added, and ``--full`` reads every script again."""
    repo, store = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    _export(emu, "cxone", repo, store)
    state = emu.ctx.tenant("cxone", "dev")
    live = sorted(p for p in state.paths() if state.is_active(p))
    gone, template = live[-1], live[0]
    state.remove(gone)
    script = state.document(template, state.current(template))
    folder = template.rpartition("\\")[0]
    script["header"]["scriptName"] = f"{folder}\\Added_By_Test"
    state.commit(script, "2026-02-02T00:00:00Z", "test")
    emu.ctx.ledger.clear()
    out = _export(emu, "cxone", repo, store)
    assert out["pass"] == "incremental", out
    assert len(_flow_reads(emu, "cxone")) == 1
    shown = _git(repo, "show", "--name-status", "--no-renames", "--format=", "HEAD")
    rows = [line.split("\t") for line in shown.splitlines()]
    flows = sorted((k, f) for k, f in rows if f.startswith("flows/") and "_bundle" not in f)
    assert [k for k, _ in flows] == ["A", "D"], shown
    assert flows[0][1].endswith("/billing-added-by-test.json")  # layout 2: by name (#16)
    lock = loads_lock((repo / "cxops.lock").read_text())
    ids = {r["id"] for r in lock["flow"]}
    assert f"{folder}\\Added_By_Test" in ids and gone not in ids
    assert _files(repo) == _files(_full_copy(emu, "cxone", tmp_path, store))

    emu.ctx.ledger.clear()
    again = _export(emu, "cxone", repo, store, mode="full")
    assert again["pass"] == "full" and again["changed"] is False
    assert len(_flow_reads(emu, "cxone")) == len(live)  # one gone, one added


def _full_copy(emu: EmulatorThread, vendor: str, tmp_path: Path, store: str) -> Path:
    target = tmp_path / f"full-{vendor}"
    _export(emu, vendor, target, store, mode="full")
    return target


@pytest.mark.parametrize("vendor", VENDORS)
def test_verify_pass_reports_a_change_made_without_a_stamp(
    emu: EmulatorThread, tmp_path: Path, vendor: str, engine_down: None
) -> None:
    """A flow changed without its stamp is missed by incremental runs (by design: nothing said
    it changed), then caught, named and fixed by the verify pass of ``--verify-every``."""
    repo, store = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    first = _export(emu, vendor, repo, store, verify_every=3)
    lock = loads_lock((repo / "cxops.lock").read_text())
    row = lock["flow"][0]
    target = row["id"]
    if vendor == "cognigy":
        _, flows = _cognigy_flows(emu, SMALL)
        target = next(f["_id"] for f in flows if (f.get("referenceId") or f["_id"]) == row["id"])
    _unstamped(emu, vendor, target)
    # verify_every=3: one run in three is full (full, incremental, incremental, verify, ...).
    for _ in range(2):
        missed = _export(emu, vendor, repo, store, verify_every=3)
        assert missed["pass"] == "incremental" and missed["changed"] is False
        assert missed["stale"] == []
    third = _export(emu, vendor, repo, store, verify_every=3)
    assert third["pass"] == "verify", third["pass_reason"]
    assert third["changed"] is True
    assert [(s["project"], s["flow"]) for s in third["stale"]] == [(row["project"], row["id"])]
    assert row["name"] in third["stale"][0]["message"]
    fourth = _export(emu, vendor, repo, store, verify_every=3)
    assert fourth["pass"] == "incremental" and fourth["stale"] == []
    assert first["pass"] == "full"
    assert _files(repo) == _files(_full_copy(emu, vendor, tmp_path, store))


def test_old_lock_without_stamps_means_a_full_fetch(
    emu: EmulatorThread, tmp_path: Path, engine_down: None
) -> None:
    """A lock written before stamps (or by ``cxops lock``) makes the next export read every
    flow, and that export records the stamps."""
    repo, store = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    _export(emu, "genesys", repo, store)
    text = (repo / "cxops.lock").read_text()
    old = "\n".join(line for line in text.splitlines() if not line.startswith("stamp = ")) + "\n"
    (repo / "cxops.lock").write_text(old)
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qam", "old lock")
    emu.ctx.ledger.clear()
    out = _export(emu, "genesys", repo, store)
    assert out["pass"] == "full" and "no change stamps" in out["pass_reason"]
    flows = len(loads_lock(old)["flow"])
    assert len({p.split("/")[4] for p in _flow_reads(emu, "genesys")}) == flows
    assert (repo / "cxops.lock").read_text() == text


def _cli(emu: EmulatorThread, tmp_path: Path, *extra: str) -> list[str]:
    base = emu.base("genesys", "prod")  # prod: no error finding, so exit 0
    return [
        "export", "--vendor", "genesys", "--base-url", base, "--auth-url", base,
        "--client-id", "genesys-prod-readonly", "--client-secret", "genesys-prod-readonly-secret",
        "--store", f"sqlite:///{tmp_path / 'state.db'}", "--rate", "5000",
        "--concurrency", "32", "--all", "--repo", str(tmp_path / "repo"), *extra,
    ]  # fmt: skip


def test_cli_incremental_full_and_verify_every(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine_down: None
) -> None:
    """``cxops export`` runs incremental by default once stamps exist, ``--full`` forces a full
    read, and the text output names the pass and warns about a change made without a stamp."""
    assert main(_cli(emu, tmp_path, "--json")) == 0
    assert json.loads(capsys.readouterr().out)["pass"] == "full"
    assert main(_cli(emu, tmp_path, "--json")) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["pass"] == "incremental" and second["changed"] is False
    assert main(_cli(emu, tmp_path, "--json", "--full")) == 0
    assert json.loads(capsys.readouterr().out)["pass"] == "full"
    state = emu.ctx.tenant("genesys", "prod")
    flow = sorted(state.flows)[0]
    _unstamped(emu, "genesys", flow, "prod")
    assert main(_cli(emu, tmp_path, "--verify-every", "1")) == 0
    out = capsys.readouterr().out
    assert "verify pass" in out
    assert "changed without its vendor stamp changing" in out and state.flows[flow].name in out
    assert main(_cli(emu, tmp_path, "--verify-every", "-1")) == 2


def test_cognigy_tenant_listed_once_per_kind_when_the_lock_knows_every_row(
    emu: EmulatorThread, tmp_path: Path, engine_down: None
) -> None:
    """With every project in the lock, an unchanged Cognigy tenant costs one listing per kind
    (flows, lexicons, connections: their rows are given to projects by the lock), not three
    per project; a changed flow is still found and fetched alone."""
    repo, store = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    settings = emulator_settings(emu, "cognigy", "prod")

    def export() -> dict[str, Any]:
        emu.ctx.ledger.clear()
        options = ExportOptions(repo=repo, store=store, transport=FAST, all=True)
        return asyncio.run(run_export(settings, options))

    first = export()
    assert len(first["projects"]) > 1
    second = export()
    assert second["pass"] == "incremental" and second["changed"] is False
    listings = [s.path for s in emu.ctx.ledger.requests if s.vendor == "cognigy"]
    assert _flow_reads(emu, "cognigy") == []
    assert sorted(p for p in listings if p != "/new/v2.0/projects") == [
        "/new/v2.0/connections",
        "/new/v2.0/flows",
        "/new/v2.0/lexicons",
    ], listings
    state = emu.ctx.tenant("cognigy", "prod")
    pid = sorted(state.content)[0]
    flow = sorted(state.content[pid]["flows"].values(), key=lambda f: f["_id"])[0]
    flow["chart"]["nodes"][0]["label"] = "changed with a stamp"
    flow["lastChanged"] = int(flow["lastChanged"]) + 1000
    third = export()
    assert third["changed"] is True
    assert {p.split("/")[4] for p in _flow_reads(emu, "cognigy")} == {flow["_id"]}


def _flows_using(repo: Path, flow: str) -> set[str]:
    """Ids of the flows in the repository whose nodes reference ``flow``."""
    out = set()
    for path in repo.glob("flows/*/*/*.json"):
        doc = json.loads(path.read_text())
        refs = [r for n in doc.get("nodes", []) for r in n.get("refs", [])] + doc.get("refs", [])
        if path.name != "_bundle.json" and any(r.get("id") == flow for r in refs):
            out.add(doc["id"])
    return out


@pytest.mark.parametrize("vendor", ["cognigy", "genesys"])
def test_deleted_and_added_flows_match_a_full_export(
    emu: EmulatorThread, tmp_path: Path, vendor: str, engine_down: None
) -> None:
    """One flow deleted and one added in the tenant: the added one is the only flow read, the
    deleted one's file goes, and the repository equals a fresh full export byte for byte."""
    repo, store = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    settings = emulator_settings(emu, vendor, "prod")

    def export(target: Path, **kw: Any) -> dict[str, Any]:
        emu.ctx.ledger.clear()
        options = ExportOptions(repo=target, store=store, transport=FAST, all=True, **kw)
        return asyncio.run(run_export(settings, options))

    export(repo)
    state = emu.ctx.tenant(vendor, "prod")
    if vendor == "cognigy":
        pid = sorted(state.content)[0]
        flows = state.content[pid]["flows"]
        gone, template = sorted(flows)[-1], flows[sorted(flows)[0]]
        del flows[gone]
        added = copy.deepcopy(template)
        added.update(_id="a" * 24, referenceId="added-by-test", name="Added by test")
        flows[added["_id"]] = added
    else:
        ids = sorted(state.flows)
        gone, template = ids[-1], state.flows[ids[0]]
        del state.flows[gone]
        added = copy.deepcopy(template)
        added.id, added.name = "added-by-test", "Added by test"
        state.flows[added.id] = added
    users = _flows_using(repo, gone) if vendor == "genesys" else set()
    out = export(repo)
    assert out["pass"] == "incremental" and out["changed"] is True, out
    # Genesys: a flow that used the deleted one is read again (dependency tracking now marks
    # it deleted in that flow's document, though the flow's own stamp did not move).
    assert {p.split("/")[4] for p in _flow_reads(emu, vendor)} == {
        added["_id"] if vendor == "cognigy" else added.id,
        *users,
    }
    # Renames detected: a flow added under a name another flow has gives both files their id
    # (layout 2, issue #16), a pure rename (R100) of the one that was there.
    shown = _git(repo, "show", "--name-status", "--no-renames", "--format=", "HEAD")
    rows = [line.split("\t") for line in shown.splitlines()]
    flows = [(k, f) for k, f in rows if f.startswith("flows/") and "_bundle" not in f]
    ids = {f: json.loads(_git(repo, "show", f"HEAD{'~1' if k == 'D' else ''}:{f}"))["id"]
           for k, f in flows if k in "AD"}  # fmt: skip
    added_ids = {ids[f] for k, f in flows if k == "A"}
    moved_ids = {ids[f] for k, f in flows if k == "D" and ids[f] in added_ids}
    moved = {f for k, f in flows if k in "AD" and ids[f] in moved_ids}  # renamed (and changed)
    flows = [(k, f) for k, f in flows if f not in moved] + [("M", f) for f in moved if f in ids
             and any(k == "A" and g == f for k, g in flows)]  # fmt: skip

    assert sorted(k for k, _ in flows if k != "M") == ["A", "D"], shown
    assert len([f for k, f in flows if k == "M"]) == len(users), shown
    export(tmp_path / "full", mode="full")
    assert _files(repo) == _files(tmp_path / "full")
