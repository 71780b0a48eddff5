"""Promotion of the Cognigy fixture project dev → prod over real HTTP, real git, SQLite store."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from cxops.pipelines.promote.runner import PromoteOptions, run_promote
from cxops.store import Store
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings, ledger


def _prod_flow(emu: EmulatorThread, name: str) -> dict[str, Any]:
    """The flow called ``name`` of the fixture project on prod, as ``GET /flows/{id}`` reads."""
    prod = admin_settings(emu, "prod")
    headers = {"X-API-Key": prod.api_key.get_secret_value() if prod.api_key else ""}
    base = f"{prod.base_url}/new/v2.0"
    with httpx.Client(headers=headers) as http:
        pid = next(p["_id"] for p in http.get(f"{base}/projects").json()["items"]
                   if p["name"] == PROJECT)  # fmt: skip
        rows = http.get(f"{base}/flows", params={"projectId": pid}).json()["items"]
        fid = next(f["_id"] for f in rows if f["name"] == name)
        doc: dict[str, Any] = http.get(f"{base}/flows/{fid}").json()
        return doc


def promote(emu: EmulatorThread, store: str, **kw: Any) -> dict[str, Any]:
    """Run one promotion dev → prod of the fixture project and return its summary."""
    kw.setdefault("project", PROJECT)
    options = PromoteOptions(store=store, transport=FAST, **kw)
    dev, prod = admin_settings(emu, "dev"), admin_settings(emu, "prod")
    return asyncio.run(run_promote(dev, prod, options))


def test_dev_to_prod_promotion_reaches_parity(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """A clean promotion deploys once, reaches parity 1.0, tags the artifact and emits events."""
    out = promote(fast_emu, store_url, repo=tmp_path / "repo", version="1.1.0", changelog="new")
    assert out["status"] == "succeeded", out.get("error")
    assert out["outcome"] == "promoted"
    assert out["parity"]["score"] == 1.0, out["parity"]["differences"]
    effects = [r["effect"] for r in ledger(fast_emu, "prod") if r["effect"]]
    assert effects.count("cognigy.package.merge") == 1
    assert effects.count("cognigy.snapshot.create") == 1
    assert "cognigy.snapshot.restore" not in effects
    # Verification ran prod's playbook through the project (prod has no /testing simulator).
    smoke = out["verify"]["smoke"]
    assert out["verify"]["passed"] and smoke["runs"][0]["status"] == "successful", smoke
    assert smoke["simulator"] == "no simulator on this tenant"
    # Every source resource has its prod twin by referenceId; the new flow got created.
    assert out["id_map"] and all(v["target"] for v in out["id_map"].values())
    assert out["deploy"]["merge"]["merged"]["created"] == 1
    # The merged Main flow held dev's lexicon _id; it was re-pointed to prod's through the API.
    assert out["deploy"]["merge"]["remapped_flows"] == ["Main"]
    lexicons = {v["source"]: v["target"] for v in out["id_map"].values() if v["kind"] == "lexicons"}
    main = _prod_flow(fast_emu, "Main")
    assert main["attachedLexicons"] and all(
        lid in lexicons.values() for lid in main["attachedLexicons"]
    ), (main["attachedLexicons"], lexicons)
    art = out["artifact"]
    tagged = subprocess.run(
        ["git", "rev-list", "-n1", "1.1.0"], cwd=tmp_path / "repo", capture_output=True, text=True
    ).stdout.strip()
    assert art["tag"] == "1.1.0" and tagged == art["commit"]
    assert (
        f"Cxops-Run-Id: {out['run']}"
        in subprocess.run(
            ["git", "log", "-1", "--format=%B"],
            cwd=tmp_path / "repo",
            capture_output=True,
            text=True,
        ).stdout
    )
    with Store.open(store_url) as st:
        assert st.audit.verify().ok
        types = [e.type for e in st.outbox.events()]
        assert types == ["flow.promote.started", "flow.promote.completed"]
        run = st.runs.get(out["run"])
        assert run is not None and run.kind == "promote" and run.params["target"] == "prod"
    # Promoting again: nothing left to change, so nothing is deployed (issue #14) ...
    before = len(ledger(fast_emu, "prod"))
    again = promote(fast_emu, store_url, repo=tmp_path / "repo", version="1.2.0")
    assert again["outcome"] == "nothing_to_promote" and again["status"] == "succeeded"
    assert again["plan"]["diff"]["bump"] == "none", again["plan"]["diff"]["changes"]
    assert "gates" not in again and "deploy" not in again and "artifact" not in again
    assert [r for r in ledger(fast_emu, "prod")[before:] if r["effect"]] == []
    # ... unless --force, and then the version must still move on.
    forced = promote(fast_emu, store_url, repo=tmp_path / "repo", version="1.1.0", force=True)
    assert forced["outcome"] == "blocked" and forced["blocked"] == ["version"]
    # A next promotion starts from the id map this one recorded (then adds today's pairs).
    third = promote(fast_emu, store_url, repo=tmp_path / "repo", version="1.1.1", force=True)
    assert third["outcome"] == "promoted", third.get("error")
    reused = third["deploy"]["merge"]["id_map_reused"]
    pairs = sum(1 for v in out["id_map"].values() if v["target"] and v["source"] != v["target"])
    assert reused == {"from_run": out["run"], "entries": pairs} and pairs > 0
    assert out["deploy"]["merge"]["id_map_reused"] == {}  # the first had none to reuse


def test_scoped_promotion_deploys_only_the_chosen_flow(
    fast_emu: EmulatorThread, store_url: str
) -> None:
    """--flows promotes one flow: parity 1.0 over it, the other changed flows stay as they were."""
    out = promote(fast_emu, store_url, flows=["What's New"])
    assert out["outcome"] == "promoted", out.get("error")
    assert out["parity"]["score"] == 1.0 and out["parity"]["compared"] > 0
    assert out["verify"]["smoke"]["skipped"].startswith("no endpoint runs a promoted flow")
    # What remains to promote: the wording changes of the flows left out, and no added flow.
    rest = promote(fast_emu, store_url, dry_run=True)["plan"]["diff"]
    assert rest["bump"] == "patch"
    assert not any(c["what"] == "flow" and c["action"] == "added" for c in rest["changes"])
