"""cxops against a second, independently written Genesys org (``genesys_stub``): export every
flow with its actions as nodes, ``cxops validate`` finds the cycle with its path, the endless
loop, the unreachable action, the deleted data action and the unreadable parts of a document
(the rest of the export goes on), and ``cxops resolve`` writes the same lock for any listing
order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cxops.cli.main import main
from tests.vendors.genesys_stub import FLOWS, HOLD, HOTLINE, MODULE_A, MODULE_B, MYSTERY, OLD_CRM
from tests.vendors.genesys_stub import StubServer as Stub

FAST = ["--rate", "5000", "--concurrency", "16"]


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return dict(json.loads(capsys.readouterr().out))


def _flows(repo: Path) -> dict[str, dict[str, Any]]:
    """Every flow cxops wrote, by id (one file per flow, or a bundle)."""
    out: dict[str, dict[str, Any]] = {}
    for path in repo.rglob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for flow in doc.get("flows", [doc]) if isinstance(doc, dict) else []:
            if isinstance(flow, dict) and "nodes" in flow and "id" in flow:
                out[flow["id"]] = flow
    return out


def _resolve(server: Stub, out: Path, store: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    args = ["resolve", *server.flags(), *store, "--repo", str(out), "--format", "json"]
    assert main(args) == 1
    report = _json(capsys)
    assert "CX101" in {f["code"] for f in report["report"]["findings"]}
    return (out / "cxops.lock").read_text(encoding="utf-8")


def test_export_validate_and_resolve_against_an_independent_stub(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Against the stub's real-shape documents: every flow exported with its actions as nodes
    (menu choices and flat action lists included), each flaw found where it is, the unknown
    action type and the missing nextActionId target reported, the lock order-independent."""
    store = ["--store", f"sqlite:///{tmp_path / 'state.db'}"]
    repo = tmp_path / "repo"
    with Stub() as stub:
        code = main(["export", *stub.flags(), *FAST, *store, "--repo", str(repo), "--all",
                     "--json"])  # fmt: skip
        exported = _json(capsys)
        assert code == 1, exported  # error findings, yet every flow is written
        flows = _flows(repo)
        assert set(flows) == set(FLOWS)
        nodes = {fid: {n["id"]: n["type"] for n in f["nodes"]} for fid, f in flows.items()}
        assert nodes[HOTLINE] == {
            "opening": "sequence:Task",
            "greet": "CallCommonModuleAction",
            "hours": "EvaluateScheduleAction",
            "to-menu": "TransferMenuAction",
            "closed": "PlayAudioAction",
            "bye": "DisconnectAction",
            "orphan": "PlayAudioAction",
            "main-menu": "sequence:Menu",
            "to-sales": "TransferPureMatchAction",
            "hang": "DisconnectAction",
        }
        assert set(nodes[HOLD]) == {"loop-task", "say-hold", "music"}  # flowActionItemList
        assert flows[HOTLINE]["entry"] == ["opening"]

        assert main(["validate", str(repo), "--format", "json"]) == 1
        found = _json(capsys)["findings"]
        by_code: dict[str, list[dict[str, Any]]] = {}
        for f in found:
            by_code.setdefault(f["code"], []).append(f)
        cycle = by_code["CX101"][0]["message"]
        assert "'Greeting A'" in cycle and "'Greeting B'" in cycle and " → " in cycle
        assert {(f["location"]["flow"], f["location"]["node"]) for f in by_code["CX104"]} == {
            (HOTLINE, "orphan")
        }
        loop = by_code["CX109"]
        assert [f["location"]["flow"] for f in loop] == [HOLD] and "Hold Music" in loop[0][
            "message"
        ]
        gone = [f for f in by_code["CX105"] if f["location"]["flow"] == OLD_CRM]
        assert gone and gone[0]["location"]["node"] == "lookup"
        odd = [f["message"] for f in by_code["CX100"]]
        assert any("Mystery Line" in m and "unknown action type 'HologramAction'" in m
                   and "/flowSequenceItemList/0/actionList/0" in m for m in odd), odd  # fmt: skip
        assert any("'vanished'" in f["message"] for f in by_code["CX103"])
        assert {f["location"]["flow"] for f in found if f["severity"] == "error"} <= {
            MODULE_A,
            MODULE_B,
            HOLD,
            OLD_CRM,
            MYSTERY,
        }  # the Hotline is clean but for its unreachable action (a warning)

        locks = [_resolve(stub, tmp_path / "forward", store, capsys)]
    with Stub(reverse=True) as backwards:
        locks.append(_resolve(backwards, tmp_path / "reversed", store, capsys))
    assert locks[0] == locks[1] and MODULE_A in locks[0]
