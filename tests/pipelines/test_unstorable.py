"""pipelines.unstorable.write_storable: a converted flow that cannot be written is left out and
returned as a row; the others are written; a project-level value fails the project, nothing
written (issue #15). A real git repository in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxops.errors import Unstorable
from cxops.model.bundle import Bundle, Flow
from cxops.pipelines.unstorable import findings, flows_of, write_storable
from cxops.sinks.git import GitRepo


def _bundle(bad: object, *, where: str = "flow") -> Bundle:
    flows = [Flow(id=f"f{i}", name=f"Flow {i}", kind="bot", properties={"x": i}) for i in range(3)]
    if where == "flow":
        flows[1] = flows[1].model_copy(update={"properties": {"x": bad}})
    props = {"y": bad} if where == "project" else {}
    return Bundle(vendor="cognigy", tenant="t", project="p", flows=flows, properties=props)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 2**60])
def test_a_flow_that_cannot_be_written_is_left_out(tmp_path: Path, bad: object) -> None:
    """f1 holds what RFC 8785 or JSON cannot represent: f0 and f2 written, f1 a row and a
    CX100 finding naming it; the bundle written says two flows."""
    repo = GitRepo.open_or_init(tmp_path / "repo")
    _changes, written, rows = write_storable(repo, _bundle(bad), {})
    assert [f.id for f in written.flows] == ["f0", "f2"]
    assert [(r["id"], r["name"]) for r in rows] == [("f1", "Flow 1")] and rows[0]["error"]
    folder = repo.root / "flows/cognigy/p"  # layout 2: files by flow name (issue #16)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["_bundle.json", "flow-0.json", "flow-2.json"]
    )
    assert json.loads((folder / "flow-2.json").read_text())["properties"] == {"x": 2}
    result = {"status": "ok", "vendor": "cognigy", "key": "p", "unstorable": rows}
    (finding,) = findings(flows_of([result]))
    assert finding.code == "CX100" and finding.location.flow == "f1"
    assert "'Flow 1' not exported" in finding.message


def test_a_project_value_that_cannot_be_written_fails_the_project(tmp_path: Path) -> None:
    """Not one flow's fault: Unstorable naming the project, and nothing written."""
    repo = GitRepo.open_or_init(tmp_path / "repo")
    with pytest.raises(Unstorable, match="project 'p' cannot be stored"):
        write_storable(repo, _bundle(float("nan"), where="project"), {})
    assert not (repo.root / "flows").exists()
