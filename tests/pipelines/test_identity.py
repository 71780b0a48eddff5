"""Content, not circumstance (issue #14): the same flows give the same hash and the same files
whatever the profile is called and whatever order the vendor lists them in; no second commit."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.model.canonical import content_hash
from cxops.model.native import cognigy
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.sinks.git import GitRepo
from cxops.transport.settings import resolve_connection
from tests.pipelines.conftest import FAST

PROJECT = "Flawed - Flow Cycle"


def _profiles(emu: EmulatorThread, root: Path, names: tuple[str, ...]) -> dict[str, str]:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    lines = []
    for name in names:
        lines += [f"[profiles.{name}]", 'vendor = "cognigy"', f'base_url = "{info["base_url"]}"']
        lines += ['api_key = "env:TEST_IDENTITY_KEY"', ""]
    (root / "cxops.toml").write_text("\n".join(lines), encoding="utf-8")
    return {"TEST_IDENTITY_KEY": info["credentials"]["readonly"]["api_key"]}


def test_two_profiles_of_one_tenant_export_identical_files(
    emu: EmulatorThread,
    tmp_path: Path,
    any_store_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exported through profile ``dev`` then ``staging`` (one tenant): the second makes no commit,
    and the bundle names the tenant by its URL, not by either profile."""
    for var, value in _profiles(emu, tmp_path, ("dev", "staging")).items():
        monkeypatch.setenv(var, value)
    monkeypatch.chdir(tmp_path)
    repo = tmp_path / "flows"
    outs = []
    for profile in ("dev", "staging"):
        settings = resolve_connection({}, profile=profile)
        options = ExportOptions(repo=repo, project=PROJECT, store=any_store_url, transport=FAST)
        outs.append(asyncio.run(run_export(settings, options)))
    assert outs[0]["commit"] and outs[1]["changed"] is False and outs[1]["commit"] is None
    [bundle] = GitRepo(repo).read_bundles()
    assert bundle.tenant.endswith("/cognigy/dev") and "staging" not in bundle.tenant


def _reversed(native: dict[str, Any]) -> dict[str, Any]:
    """The same project listed backwards: flows, lexicons, and each chart's nodes and relations."""
    flows = []
    for flow in reversed(native["flows"]):
        chart = dict(flow["chart"])
        chart["nodes"] = list(reversed(chart["nodes"]))
        chart["relations"] = list(reversed(chart["relations"]))
        flows.append({**flow, "chart": chart})
    return {**native, "flows": flows, "lexicons": list(reversed(native.get("lexicons") or []))}


def test_another_listing_order_gives_the_same_hash_and_no_commit(
    emu: EmulatorThread, tmp_path: Path, any_store_url: str
) -> None:
    """A real export, then the same project as the vendor might list it another time (every
    listing reversed): same content hash, identical files, nothing to commit."""
    from tests.pipelines.conftest import emulator_settings

    repo = tmp_path / "flows"
    settings = emulator_settings(emu, "cognigy", "dev")
    options = ExportOptions(repo=repo, project=PROJECT, store=any_store_url, transport=FAST)
    first = asyncio.run(run_export(settings, options))
    assert first["commit"]
    git = GitRepo(repo)
    [bundle] = git.read_bundles()
    native = cognigy.to_native(bundle)
    assert any(len(f["chart"]["nodes"]) > 1 for f in native["flows"])  # there is an order
    again = cognigy.to_bundle(_reversed(native), tenant=bundle.tenant)
    assert again != bundle  # in memory the vendor's order is kept (lossless) ...
    assert content_hash(again) == content_hash(bundle)  # ... and is not content
    changes = git.write_bundle(again)
    assert not (changes.added or changes.changed or changes.removed or changes.bundle_changed)
    assert git.git("status", "--porcelain").strip() == ""
