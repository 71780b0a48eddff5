"""Semantic diff: added, removed, changed and renamed items, and the semver bump with reasons."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cxops.analysis.diff import diff_bundles, property_changes
from cxops.model.bundle import Bundle
from tests.analysis.bundles import bundle, edge, flow, menu_flow, node


def _b(flows: list[dict[str, Any]], resources: list[dict[str, Any]] | None = None) -> Bundle:
    return Bundle.model_validate(bundle(flows, resources))


def _changes(a: Bundle, b: Bundle) -> set[tuple[str, str, str]]:
    return {(c.action, c.what, c.id) for c in diff_bundles(a, b).changes}


def test_identical_bundles_need_no_bump() -> None:
    """No change, bump none."""
    a = _b([menu_flow()])
    result = diff_bundles(a, a)
    assert (result.changes, result.bump) == ([], "none")


def test_added_flow_is_minor_and_changed_text_is_patch() -> None:
    """An added flow suggests minor; a changed node property alone suggests patch."""
    base = menu_flow()
    added = diff_bundles(_b([base]), _b([base, menu_flow("other")]))
    assert added.bump == "minor" and ("added", "flow", "other") in _changes(
        _b([base]), _b([base, menu_flow("other")])
    )
    edited = menu_flow()
    edited["nodes"][3]["properties"] = {"text": "Sorry, again?"}
    result = diff_bundles(_b([base]), _b([edited]))
    assert result.bump == "patch"
    (change,) = result.changes
    assert (change.action, change.what, change.id, change.detail) == (
        "changed",
        "node",
        "again",
        "properties/text",
    )


def test_removed_flow_or_entry_point_is_major_with_reasons() -> None:
    """Removing a flow, or an entry point of a kept flow, is major and says why."""
    two = _b([menu_flow(), menu_flow("other")])
    gone = diff_bundles(two, _b([menu_flow()]))
    assert gone.bump == "major"
    assert any("'Other' was removed" in r for r in gone.reasons)
    moved = menu_flow()
    moved["entry"] = ["ask"]
    result = diff_bundles(_b([menu_flow()]), _b([moved]))
    assert result.bump == "major"
    # The node has no label: its id stands for it (unquoted: quotes are for names).
    assert "major: entry point start of flow 'Menu' was removed" in result.reasons


def test_renames_are_detected_by_content() -> None:
    """A flow with a new id but the same content is one rename (major: callers use the id);
    a node with a new id but the same content is a node rename, edges follow it."""
    renamed_flow = {**menu_flow(), "id": "menu-v2"}
    result = diff_bundles(_b([menu_flow()]), _b([renamed_flow]))
    assert [(c.action, c.what, c.old_id, c.id) for c in result.changes] == [
        ("renamed", "flow", "menu", "menu-v2")
    ]
    assert result.bump == "major"
    moved = flow("f", [node("start"), node("b2", label="B")], [edge("start", "b2")])
    before = flow("f", [node("start"), node("b", label="B")], [edge("start", "b")])
    changes = _changes(_b([before]), _b([moved]))
    assert changes == {("renamed", "node", "b2")}


def test_edges_and_refs_are_compared() -> None:
    """A new edge and a new reference show up as additions (minor)."""
    before = flow("f", [node("start"), node("x")], [edge("start", "x")])
    after = flow(
        "f",
        [node("start", refs=[{"kind": "intent", "id": "i1"}]), node("x")],
        [edge("start", "x"), edge("x", "start", kind="branch", condition="again")],
    )
    result = diff_bundles(_b([before]), _b([after]))
    assert result.bump == "minor"
    kinds = {(c.action, c.what) for c in result.changes}
    assert {("added", "edge"), ("added", "ref")} <= kinds


def test_property_changes_are_pointers() -> None:
    """Nested differences are reported as RFC 6901 pointers, ids and stamps ignored."""
    old = {"a": {"b/c": [1, 2], "_id": "x", "lastChanged": 1}, "k": 1}
    new = {"a": {"b/c": [1, 3], "_id": "y", "lastChanged": 2}, "k": 1, "n": None}
    assert property_changes(old, new) == ["/a/b~1c/1", "/n"]


def test_changes_read_as_names_with_values() -> None:
    """Each change's text names the flow and node, the field and its old and new values; ids
    stay in the fields for machines."""
    before = flow("f1", [node("start"), node("n1", label="Greeting", properties={"comment": "a"})],
                  [edge("start", "n1")], name="Main")  # fmt: skip
    after = flow("f1", [node("start"), node("n1", label="Greeting", properties={"comment": "b"})],
                 [edge("start", "n1")], name="Main")  # fmt: skip
    (change,) = diff_bundles(_b([before]), _b([after])).changes
    assert change.text == "changed flow 'Main' › node 'Greeting': comment 'a' → 'b'"
    assert (change.id, change.flow, change.name, change.flow_name) == (
        "n1",
        "f1",
        "Greeting",
        "Main",
    )
    doc = diff_bundles(_b([before]), _b([after])).to_dict()["changes"][0]
    assert (
        doc["id"] == "n1" and doc["text"] == change.text and doc["detail"] == "properties/comment"
    )


def test_a_shared_name_gets_a_short_id_beside_it() -> None:
    """Two nodes labelled 'Say' in one flow: each is named with its short id; a unique label,
    an added or removed field read without ids."""
    uid = "bbcf9c4a-c49e-0a40-7ed7-56654ade60c3"
    nodes = [node("start", label="Start"), node(uid, label="Say"), node("n2", label="Say")]
    edges = [edge("start", uid), edge(uid, "n2")]
    after_nodes = [*nodes[:1], node(uid, label="Say", properties={"text": "hi"}), nodes[2]]
    before, after = flow("f", nodes, edges), flow("f", after_nodes, [*edges, edge("n2", "start")])
    texts = [c.text for c in diff_bundles(_b([before]), _b([after])).changes]
    assert texts == [
        "changed flow 'F' › node 'Say' (bbcf9c4a…): text (none) → 'hi'",
        "added flow 'F' › edge 'Say' (n2) → 'Start'",
    ]


def test_resources_and_refs_are_named() -> None:
    """An added intent reference and an added lexicon read by their names."""
    before = flow("f", [node("start", label="Ask")], [], name="Main")
    after = flow("f", [node("start", label="Ask", refs=[{"kind": "intent", "id": "i1",
                 "name": "Book"}])], [], name="Main")  # fmt: skip
    lexicon = {"kind": "lexicon", "id": "x1", "name": "Cities"}
    texts = [c.text for c in diff_bundles(_b([before]), _b([after], [lexicon])).changes]
    assert texts == [
        "added flow 'Main' › node 'Ask' › reference to intent 'Book'",
        "added lexicon 'Cities'",
    ]


@given(
    st.lists(st.sampled_from(["Say", "Ask", "Greeting", ""]), min_size=1, max_size=6),
    st.data(),
)
def test_a_node_id_shows_only_when_its_label_is_shared_or_missing(
    labels: list[str], data: st.DataObject
) -> None:
    """Whatever the labels, a changed node's line shows its label alone when no other node of
    the flow has it, its short id beside a shared label, its id without a label."""
    ids = [str(uuid.UUID(int=(i + 1) << 96 | 0xABC)) for i in range(len(labels))]
    pick = data.draw(st.integers(0, len(labels) - 1))

    def nodes(text: str) -> list[dict[str, Any]]:
        return [
            node(i, label=lab or None, properties={"text": text if k == pick else "same"})
            for k, (i, lab) in enumerate(zip(ids, labels, strict=True))
        ]

    before, after = flow("f", nodes("a"), [], name="Main"), flow("f", nodes("b"), [], name="Main")
    (change,) = diff_bundles(_b([before]), _b([after])).changes
    mine, short = labels[pick], ids[pick][:8] + "…"
    if mine and labels.count(mine) == 1:
        assert f"node '{mine}': " in change.text and ids[pick][:8] not in change.text
    elif mine:
        assert f"node '{mine}' ({short}): " in change.text
    else:
        assert f"node {short}: " in change.text


def test_a_flow_owned_resource_sharing_a_name_is_named_by_its_flow() -> None:
    """Two intents 'Reset' owned by two flows ('<flow id>/<name>'): each reads 'of flow ...'."""
    flows = [flow("f1", [], [], name="Main"), flow("f2", [], [], name="News")]
    mine = [{"kind": "intent", "id": "f1/Reset", "name": "Reset"}]
    theirs = [*mine, {"kind": "intent", "id": "f2/Reset", "name": "Reset"}]
    (change,) = diff_bundles(_b(flows, mine), _b(flows, theirs)).changes
    assert change.text == "added intent 'Reset' of flow 'News'"
