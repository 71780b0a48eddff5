"""The Cognigy fixtures: deterministic, clean projects really clean, every FLAWS row real.

These checks walk the served structures directly (relations, node config references), so
they fail if a fixture drifts from what ``FLAWS`` and docs/emulator/cognigy.md promise.
"""

from __future__ import annotations

from typing import Any

from cxops.emulator.cognigy.fixture_flaws import OVERSIZED_NODES
from cxops.emulator.cognigy.fixtures import DEFAULT_SEED, FLAWS, build_tenant, flaws
from cxops.emulator.cognigy.graph import node_references


def _edges(flow: dict[str, Any]) -> dict[str, list[str]]:
    """next/children edges plus go-to jumps inside the flow."""
    by_ref = {n["referenceId"]: n["_id"] for n in flow["chart"]["nodes"]}
    out: dict[str, list[str]] = {}
    for rel in flow["chart"]["relations"]:
        out[rel["node"]] = list(rel["children"]) + ([rel["next"]] if rel["next"] else [])
    for node in flow["chart"]["nodes"]:
        fn = node["config"].get("flowNode", {})
        if node["type"] == "goTo" and fn.get("flow") == flow["referenceId"]:
            out[node["_id"]].append(by_ref[fn["node"]])
    return out


def _reachable(flow: dict[str, Any]) -> set[str]:
    edges = _edges(flow)
    start = [n["_id"] for n in flow["chart"]["nodes"] if n["type"] == "start"]
    seen: set[str] = set()
    todo = list(start)
    while todo:
        nid = todo.pop()
        if nid not in seen:
            seen.add(nid)
            todo.extend(edges[nid])
    return seen


def _closed_loops(flow: dict[str, Any]) -> list[set[str]]:
    """Cycles (by mutual reachability) that no edge leaves and that hold no end node."""
    edges = _edges(flow)

    def reach(a: str) -> set[str]:
        seen, todo = set(), [a]
        while todo:
            n = todo.pop()
            for m in edges[n]:
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    loops = []
    for node in edges:
        r = reach(node)
        if node in r and all(reach(m) >= {node} and reach(m) <= r for m in r):
            loops.append(r)
    return loops


def _flow_cycle(content: dict[str, Any]) -> bool:
    by_ref = {f["referenceId"]: f for f in content["flows"].values()}
    calls = {
        f["referenceId"]: {
            r
            for k, r in (ref for n in f["chart"]["nodes"] for ref in node_references(n))
            if k == "flows" and r in by_ref and r != f["referenceId"]
        }
        for f in content["flows"].values()
    }
    state: dict[str, int] = {}

    def visit(ref: str) -> bool:
        state[ref] = 1
        for nxt in calls[ref]:
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[ref] = 2
        return False

    return any(ref not in state and visit(ref) for ref in calls)


def _unresolved(content: dict[str, Any]) -> list[str]:
    known = {
        (k, r["referenceId"])
        for k in ("flows", "lexicons", "connections")
        for r in content[k].values()
    }
    return [
        node["_id"]
        for f in content["flows"].values()
        for node in f["chart"]["nodes"]
        for ref in node_references(node)
        if ref not in known
    ]


def test_same_seed_same_content_other_seed_other_ids() -> None:
    """Tenants are a function of the seed."""
    assert build_tenant(7, "dev").content == build_tenant(7, "dev").content
    assert set(build_tenant(8, "dev").projects) != set(build_tenant(7, "dev").projects)
    assert flaws(DEFAULT_SEED) == FLAWS


def test_clean_projects_are_clean() -> None:
    """Clean projects: 5-50 flows, all reachable, no closed loops, no flow cycle, refs resolve."""
    for tenant in ("dev", "prod"):
        t = build_tenant(DEFAULT_SEED, tenant)
        clean = [p for p, meta in t.projects.items() if not meta["name"].startswith("Flawed")]
        assert len(clean) == 3
        for pid in clean:
            content = t.content[pid]
            assert 5 <= len(content["flows"]) <= 50
            for flow in content["flows"].values():
                assert _reachable(flow) == {n["_id"] for n in flow["chart"]["nodes"]}
                assert _closed_loops(flow) == []
                assert len(flow["chart"]["nodes"]) <= 500
            assert not _flow_cycle(content)
            assert _unresolved(content) == []


def test_each_flaw_is_really_there() -> None:
    """Every FLAWS row points at a structure with exactly that defect."""
    t = build_tenant(DEFAULT_SEED, "dev")
    assert {f["code"] for f in FLAWS} == {"CX101", "CX102", "CX104", "CX105", "CX109"}
    for row in FLAWS:
        content = t.content[row["project"]]
        flow = content["flows"][row["flow"]]
        assert t.projects[row["project"]]["name"].startswith("Flawed - ")
        nodes = {n["_id"] for n in flow["chart"]["nodes"]}
        assert row["node"] is None or row["node"] in nodes
        if row["code"] == "CX101":
            assert _flow_cycle(content)
        elif row["code"] == "CX102":
            assert len(nodes) == OVERSIZED_NODES
        elif row["code"] == "CX104":
            assert row["node"] in nodes - _reachable(flow)
        elif row["code"] == "CX105":
            assert row["node"] in _unresolved(content)
        elif row["code"] == "CX109":
            loops = _closed_loops(flow)
            assert loops and any(row["node"] in loop for loop in loops)
            types = {n["type"] for n in flow["chart"]["nodes"] if n["_id"] in loops[0]}
            assert "end" not in types


def test_prod_is_an_older_dev() -> None:
    """Prod shares referenceIds with dev, lacks the newest flow, and has older wording."""
    dev, prod = build_tenant(DEFAULT_SEED, "dev"), build_tenant(DEFAULT_SEED, "prod")
    for pmeta in prod.projects.values():
        dpid = next(p for p, m in dev.projects.items() if m["name"] == pmeta["name"])
        drefs = {f["referenceId"] for f in dev.content[dpid]["flows"].values()}
        prefs = {f["referenceId"] for f in prod.content[pmeta["_id"]]["flows"].values()}
        assert prefs < drefs and len(drefs - prefs) == 1
    assert "prod" in prod.summary() and "flawed" in dev.summary()


def test_flawed_projects_hold_only_their_flaws() -> None:
    """Apart from the listed flaw, each flawed project is clean (no stray findings)."""
    t = build_tenant(DEFAULT_SEED, "dev")
    for pid, meta in t.projects.items():
        if not meta["name"].startswith("Flawed"):
            continue
        rows = [r for r in FLAWS if r["project"] == pid]
        codes = {r["code"] for r in rows}
        content = t.content[pid]
        assert _flow_cycle(content) == ("CX101" in codes)
        assert bool(_unresolved(content)) == ("CX105" in codes)
        for flow in content["flows"].values():
            mine = {r["code"] for r in rows if r["flow"] == flow["_id"]}
            nodes = {n["_id"] for n in flow["chart"]["nodes"]}
            assert (_reachable(flow) != nodes) == ("CX104" in mine)
            assert bool(_closed_loops(flow)) == ("CX109" in mine)
            assert (len(nodes) > 500) == ("CX102" in mine)
