"""The export commit message names flows and what changed inside them, read from a real git
repository (``HEAD`` against the work tree), never a bare id where a name exists (#16)."""

from __future__ import annotations

from pathlib import Path

from cxops.model.bundle import Bundle, Edge, Flow, Node
from cxops.pipelines.repo import changes_doc, commit_run, open_repo

UID = "bbcf9c4a-c49e-0a40-7ed7-56654ade60c3"


def _flow(fid: str, name: str, comment: str = "") -> Flow:
    nodes = [
        Node(id="s1", type="start", label="Start"),
        Node(id=UID, type="say", label="Greeting", properties={"comment": comment}),
    ]
    return Flow(id=fid, name=name, kind="bot", entry=["s1"], nodes=nodes,
                edges=[Edge(source="s1", target=UID)])  # fmt: skip


def _bundle(*flows: Flow) -> Bundle:
    return Bundle(vendor="cognigy", tenant="dev", project="p1", flows=list(flows))


def _commit(repo_path: Path, run: str, bundle: Bundle) -> str:
    repo = open_repo(repo_path)
    changes = changes_doc(repo.write_bundle(bundle))
    done = commit_run(repo, run, f"export {run}", [("cognigy", "p1")], [], [changes])
    assert done["commit"] is not None
    return repo.git("log", "-1", "--format=%B")


def test_export_message_names_flows_nodes_fields_and_values(tmp_path: Path) -> None:
    """First export: flows added by name; second: the changed node by flow, node, field and
    values, the removed flow by name; no flow or node id where a name exists."""
    first = _commit(tmp_path, "r1", _bundle(_flow("f-main", "Main"), _flow("f-old", "Old Menu")))
    assert "  added: flow 'Main'" in first and "  added: flow 'Old Menu'" in first
    second = _commit(tmp_path, "r2", _bundle(_flow("f-main", "Main", "greets by name")))
    lines = second.splitlines()
    assert "  changed: flow 'Main'" in lines and "  removed: flow 'Old Menu'" in lines
    assert "changed flow 'Main' › node 'Greeting': comment '' → 'greets by name'" in lines
    words = [line for line in lines if " | " not in line and "files changed" not in line]
    for ident in ("f-main", "f-old", UID[:8]):  # the stat lists files, named as git has them
        assert not any(ident in line for line in words), ident


def test_at_most_fifty_changed_flows_are_read(tmp_path: Path) -> None:
    """60 flows changed at once: the message lists all 60 by name, and what changed inside
    the first 50 (one git read each: the cost of a message is bounded)."""
    flows = [_flow(f"f{i:02}", f"Flow {i:02}") for i in range(60)]
    _commit(tmp_path, "r1", _bundle(*flows))
    again = [_flow(f"f{i:02}", f"Flow {i:02}", "new") for i in range(60)]
    lines = _commit(tmp_path, "r2", _bundle(*again)).splitlines()
    assert sum(line.startswith("  changed: flow 'Flow ") for line in lines) == 50
    assert "  ... and 10 more changed" in lines
    inside = [line for line in lines if line.startswith("changed flow 'Flow ")]
    assert len(inside) == 50 and inside[0].endswith("comment '' → 'new'")
