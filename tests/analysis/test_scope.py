"""Check groups: CXone and Genesys projects are checked together, Cognigy projects alone."""

from __future__ import annotations

from typing import Any

from cxops.analysis.index import BundleIndex
from cxops.analysis.scope import check_together, group_key
from tests.analysis.bundles import bundle, flow, node


def _index(
    vendor: str,
    project: str,
    flows: list[dict[str, Any]],
    resources: list[dict[str, Any]] | None = None,
) -> BundleIndex:
    doc = bundle(flows, resources)
    doc.update(vendor=vendor, project=project)
    index = BundleIndex()
    index.add_bundle(doc, file=f"flows/{vendor}/{project}/_bundle.json")
    return index


def _calls(fid: str, target: str) -> dict[str, Any]:
    return flow(fid, [node("start", terminal=True, refs=[{"kind": "flow", "id": target}])], [])


def _codes(findings: list[Any]) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.location.project) for f in findings)


def test_group_keys_follow_the_platform() -> None:
    """CXone and Genesys group per tenant; Cognigy per project."""
    assert group_key("cxone", "Main") == group_key("cxone", "Common")
    assert group_key("genesys", "Home") == group_key("genesys", "Digital")
    assert group_key("cognigy", "p1") != group_key("cognigy", "p2")


def test_cxone_sub_script_in_another_folder_resolves() -> None:
    """Main\\IVR_Main calling Common\\Auth_PIN is not a missing reference."""
    main = _index("cxone", "Main", [_calls("Main\\IVR_Main", "Common\\Auth_PIN")])
    common = _index(
        "cxone", "Common", [flow("Common\\Auth_PIN", [node("start", terminal=True)], [])]
    )
    assert check_together([main, common]) == []


def test_cycle_through_two_folders_is_found_with_its_path() -> None:
    """A → B → A across two CXone folders is one CX101 naming both scripts."""
    a = _index("cxone", "Main", [_calls("Main\\A", "Common\\B")])
    b = _index("cxone", "Common", [_calls("Common\\B", "Main\\A")])
    findings = check_together([a, b])
    assert [f.code for f in findings] == ["CX101"]
    assert "Main\\A" in findings[0].message
    assert "Common\\B" in findings[0].message


def test_cognigy_reference_out_of_its_project_is_missing() -> None:
    """A Cognigy flow executing a flow of another project is CX105, located in its project."""
    p1 = _index("cognigy", "p1", [_calls("f1", "f2")])
    p2 = _index("cognigy", "p2", [flow("f2", [node("start", terminal=True)], [])])
    assert _codes(check_together([p1, p2])) == [("CX105", "p1")]


def test_shared_resource_is_not_a_duplicate_across_projects() -> None:
    """An org-wide queue in two Genesys divisions is fine; twice in one division is CX107."""
    queue = {"kind": "queue", "id": "q1", "name": "Sales"}
    home = _index("genesys", "Home", [flow("f1", [node("start", terminal=True)], [])], [queue])
    digital = _index(
        "genesys", "Digital", [flow("f2", [node("start", terminal=True)], [])], [queue]
    )
    assert check_together([home, digital]) == []
    twice = _index(
        "genesys", "Home", [flow("f1", [node("start", terminal=True)], [])], [queue, queue]
    )
    assert _codes(check_together([twice])) == [("CX107", "Home")]


def test_findings_keep_the_project_of_their_flow() -> None:
    """In a merged group, a flow finding names the flow's own project, not the first one's."""
    ok = _index("cxone", "Main", [flow("Main\\Ok", [node("start", terminal=True)], [])])
    bad = _index(
        "cxone",
        "Sales",
        [flow("Sales\\Lost", [node("start", terminal=True), node("orphan", terminal=True)], [])],
    )
    findings = check_together([ok, bad])
    assert [(f.code, f.location.project, f.location.node) for f in findings] == [
        ("CX104", "Sales", "orphan")
    ]
