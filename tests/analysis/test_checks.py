"""Each check reports its flaw with the stable code and location, and nothing else."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from cxops.analysis.checks import CheckOptions, flow_findings, run_checks
from cxops.analysis.findings import Finding, Severity, sort_findings
from cxops.analysis.index import BundleIndex
from cxops.model.bundle import Bundle
from tests.analysis.bundles import bundle, edge, flawed_bundle, flow, menu_flow, node


def _check(doc: dict[str, Any], max_nodes: int = 500) -> list[Finding]:
    index = BundleIndex()
    index.add_bundle(doc, file="bundle.json")
    return run_checks(index, CheckOptions(max_nodes=max_nodes))


def _where(findings: list[Finding]) -> set[tuple[str, str | None, str | None]]:
    return {(f.code, f.location.flow, f.location.node) for f in findings}


def test_a_menu_loop_that_can_be_left_is_not_a_finding() -> None:
    """Re-prompting loops with an exit produce no finding at all."""
    assert _check(bundle([menu_flow()])) == []


def test_every_code_found_where_the_flaw_is() -> None:
    """CX101-CX109 each point at their flow and node; the clean flow has nothing."""
    findings = _check(flawed_bundle(), max_nodes=5)
    where = _where(findings)
    assert ("CX109", "trap", "q") in where
    assert ("CX102", "big", None) in where
    assert ("CX103", "dangling", None) in where
    assert ("CX104", "lost", "island") in where
    assert ("CX107", "dup", "start") in where
    assert ("CX108", "noentry", None) in where
    assert ("CX101", "cyc-a", "start") in where
    assert ("CX105", "refs", "start") in where
    assert ("CX106", "refs", "start") in where
    assert ("CX106", "refs", "two") in where or any(
        f.code == "CX106" and any(r.node == "two" for r in f.related) for f in findings
    )
    assert not any(f.location.flow == "menu" for f in findings)
    by_code = {f.code: f for f in findings}
    assert by_code["CX101"].message.endswith("flow 'Cyc-A' → flow 'Cyc-B' → flow 'Cyc-A'")
    assert by_code["CX109"].message.count("→") == 2  # q → s → q, the full path
    assert by_code["CX103"].location.pointer == "/flows/2/edges/0"
    assert by_code["CX104"].severity is Severity.warning


def test_cx105_names_missing_and_deleted_resources() -> None:
    """A reference to an absent resource and one to a deleted resource are both CX105."""
    messages = [f.message for f in _check(flawed_bundle()) if f.code == "CX105"]
    assert any("'gone'" in m and "not in the project" in m for m in messages)
    assert any("'Old'" in m and "deleted" in m for m in messages)


def test_cx106_unsatisfiable_and_incompatible_ranges() -> None:
    """^3 has no published version; ^1 and ^2 on the same prompt cannot both hold."""
    messages = [f.message for f in _check(flawed_bundle()) if f.code == "CX106"]
    assert any("satisfies '^3'" in m and "1.0.0, 2.1.0" in m for m in messages)
    assert any("incompatible" in m and "'^1'" in m and "'^2'" in m for m in messages)


def test_compatible_ranges_are_fine() -> None:
    """Ranges with a common version and a published match give no CX106."""
    doc = bundle(
        [
            flow(
                "f",
                [
                    node(
                        "start",
                        refs=[
                            {"kind": "prompt", "id": "p", "version": ">=1.2 <3"},
                            {"kind": "prompt", "id": "p", "version": "^2.0"},
                        ],
                    )
                ],
                [],
            )
        ],
        [{"kind": "prompt", "id": "p", "name": "P", "versions": ["2.4.0"]}],
    )
    assert _check(doc) == []


def test_wrong_shape_is_cx100_with_pointer() -> None:
    """A flow missing a node id is CX100 at the JSON pointer of the problem."""
    doc = bundle([flow("f", [{"type": "say"}], [])])
    (finding,) = _check(doc)
    assert finding.code == "CX100"
    assert finding.location.pointer == "/flows/0/nodes/0/id"


def test_findings_are_deterministic_and_model_agrees() -> None:
    """The same bundle in any order gives the same findings; the model accepts the bundle."""
    doc = flawed_bundle()
    reordered = {**doc, "flows": doc["flows"][::-1]}
    strip = [(f.code, f.message, f.location.flow, f.location.node) for f in _check(doc)]
    again = [(f.code, f.message, f.location.flow, f.location.node) for f in _check(reordered)]
    assert strip == again
    Bundle.model_validate(doc)


def test_terminal_node_inside_loop_is_a_way_out() -> None:
    """A closed loop holding a terminal node (e.g. a hang-up) is not CX109."""
    doc = bundle(
        [
            flow(
                "f",
                [node("start"), node("a"), node("b", terminal=True)],
                [edge("start", "a"), edge("a", "b"), edge("b", "a")],
            )
        ]
    )
    assert _check(doc) == []


def _two_parts(doc: dict[str, Any], cut: int) -> tuple[BundleIndex, BundleIndex, BundleIndex]:
    """The bundle-level index and two parts holding the flows before and after ``cut``."""
    host = BundleIndex()
    host.add_meta(doc, file="bundle.json")
    parts = []
    for first, flows in ((0, doc["flows"][:cut]), (cut, doc["flows"][cut:])):
        part = BundleIndex(host.vendor, host.project)
        for i, raw in enumerate(flows, start=first):
            part.add_flow(raw, pointer=f"/flows/{i}", file="bundle.json")
        parts.append(part)
    return host, parts[0], parts[1]


@pytest.mark.parametrize("settled", ["first", "second", "both"])
@pytest.mark.parametrize("cut", [0, 1, 3, 6, 9, 11, 12])
def test_settled_parts_give_the_findings_of_the_whole(cut: int, settled: str) -> None:
    """Flows checked on their own in one part (as a worker process does) and merged with
    flows checked in the bundle give exactly the findings of checking the whole bundle: loops,
    unreachable nodes and node ids after a settled part are still found in the right flow."""
    doc = flawed_bundle()
    again = flow("trap", [node("start"), node("x"), node("y")], [edge("start", "x")])
    again["edges"] += [edge("x", "y"), edge("y", "x")]  # a second trap, and a second 'trap' id
    doc["flows"].append(again)
    options = CheckOptions(max_nodes=5)
    whole = _check(doc, max_nodes=5)
    host, first, second = _two_parts(doc, cut)
    for name, part in (("first", first), ("second", second)):
        if settled in (name, "both"):
            part.settle(flow_findings(part, options))
    host.merge(first)
    host.merge(second)
    assert run_checks(host, options) == whole
    assert {f.code for f in whole} >= {"CX101", "CX102", "CX104", "CX107", "CX108", "CX109"}


def test_a_settled_part_hands_back_findings_not_nodes() -> None:
    """What crosses from a worker is the findings and what the checks across flows read: no
    node ids, labels or edges (under a hundredth of the pickled part here)."""
    names = [f"n{i}" for i in range(20000)]
    big = flow("big", [node("start")] + [node(n, label=f"Step {n}") for n in names], [])
    big["edges"] = [edge("start", n) for n in names] + [edge(names[-1], "nowhere")]
    part = BundleIndex("cognigy", "p1")
    part.add_flow(big, pointer="", file="big.json")
    whole = len(pickle.dumps(part))
    findings = flow_findings(part, CheckOptions(max_nodes=5))
    part.settle(findings)
    assert part.node_count == 0
    assert all(f.settled and not f.node_ids and not f.labels for f in part.flows)
    assert len(pickle.dumps(part)) * 100 < whole
    assert run_checks(part, CheckOptions(max_nodes=5)) == sort_findings(findings)
    assert {f.code for f in findings} == {"CX102", "CX103"}
