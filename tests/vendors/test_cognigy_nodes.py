"""Cognigy node details in fewer requests (issue #16: a resolve was one GET per chart node):
the chart's node listing gives the nodes with their config; the per-node read is what is left
for a platform without it. Proven with the emulator's request ledger over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from tests.pipelines.compile.conn import cli_args

LISTING = re.compile(r"^/new/v2\.0/flows/[^/]+/chart/nodes$")
DETAIL = re.compile(r"^/new/v2\.0/flows/[^/]+/chart/nodes/[^/]+$")
NO_LISTING = {"vendor": "cognigy", "path": "/new/v2.0/flows/*/chart/nodes", "action": "error",
              "status": 404, "message": "no such route on this platform"}  # fmt: skip


def _resolve(emu: EmulatorThread, repo: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Resolve the Cognigy dev tenant into ``repo``; the paths of the requests it sent."""
    emu.ctx.ledger.clear()
    args = ["resolve", *cli_args(emu, "cognigy"), "--repo", str(repo), "--format", "json"]
    args += ["--store", f"sqlite:///{repo.parent / 'state.db'}", "--rate", "5000", "--quiet"]
    assert main([*args, "--concurrency", "32"]) in (0, 1)
    capsys.readouterr()
    seen = emu.ctx.ledger.query(mutating_only=False, vendor="cognigy", tenant="dev")
    return [r.path for r in seen if r.status < 400]


def _files(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def test_node_listing_replaces_per_node_reads_with_the_same_lock(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the listing (404) every node is read by itself; with it, no node is, far fewer
    requests are sent, and the lock and every bundle file are byte for byte the same."""
    emu.ctx.faults.load(Scenario.parse({"faults": [NO_LISTING]}))
    before = _resolve(emu, tmp_path / "a" / "repo", capsys)
    emu.ctx.faults.load(Scenario.parse({}))
    after = _resolve(emu, tmp_path / "b" / "repo", capsys)

    nodes = sum(1 for p in before if DETAIL.match(p))
    flows = sum(1 for p in before if p.endswith("/chart"))
    assert nodes > 10 * flows > 0  # the tenant's charts hold many nodes each
    assert sum(1 for p in after if DETAIL.match(p)) == 0
    assert flows <= sum(1 for p in after if LISTING.match(p)) < nodes
    assert len(after) <= len(before) - nodes + sum(1 for p in after if LISTING.match(p))
    assert len(after) < len(before) / 2
    a, b = _files(tmp_path / "a" / "repo"), _files(tmp_path / "b" / "repo")
    assert "cxops.lock" in a and a == b
