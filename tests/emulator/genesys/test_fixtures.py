"""Fixture orgs: deterministic, realistic, and flawed exactly where FLAWS says (nowhere else)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import networkx as nx
import pytest

from cxops.emulator.genesys.fixtures import FLAWS, build_tenant, flaws
from cxops.emulator.genesys.state import Flow, GenesysTenant
from tests.helpers import architect


def _unreachable(config: dict[str, Any]) -> set[str]:
    return architect.unreachable(config)


def _published(org: GenesysTenant) -> dict[str, tuple[Flow, dict[str, Any]]]:
    out = {}
    for flow in org.flows.values():
        version = flow.published_version()
        assert version is not None, flow.name
        out[flow.id] = (flow, version.config)
    return out


def _refs(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return architect.refs(config)


def test_same_seed_same_org_other_seed_other_ids() -> None:
    """Fixtures are a pure function of (seed, tenant)."""
    a, b = build_tenant(7, "dev"), build_tenant(7, "dev")
    assert [(f.id, [v.config for v in f.versions]) for f in a.flows.values()] == [
        (f.id, [v.config for v in f.versions]) for f in b.flows.values()
    ]
    assert set(build_tenant(8, "dev").flows).isdisjoint(a.flows)
    assert flaws(7) == FLAWS and flaws(8) != FLAWS


def test_summary_counts_live_content() -> None:
    """summary() is a short line with flow and resource counts (deleted resources left out)."""
    org = build_tenant(7, "dev")
    assert org.summary() == f"{len(org.flows)} flows, 6 data actions, 8 prompts, 5 queues"


def test_every_flaw_is_where_it_says() -> None:
    """Each FLAWS entry names a dev flow and a node of its published configuration."""
    org = build_tenant(7, "dev")
    published = _published(org)
    assert {f["code"] for f in FLAWS} == {"CX101", "CX102", "CX104", "CX105", "CX106", "CX109"}
    for flaw in FLAWS:
        assert flaw["vendor"] == "genesys" and flaw["tenant"] == "dev" and flaw["project"]
        flow, config = published[flaw["flow"]]
        assert flow.name.startswith("Flawed - ") and flaw["what"]
        ids = {a["id"] for a in architect.actions(config)}
        assert flaw["node"] in ids or (flaw["node"] is None and flaw["code"] == "CX102"), flaw


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_oversized_and_endless_flows_only_where_flawed(tenant: str) -> None:
    """Only the CX102 flow has over 500 actions; only the CX109 loop has no way out."""
    org = build_tenant(7, tenant)
    big, trapped = set(), set()
    for fid, (_, cfg) in _published(org).items():
        g = architect.graph(cfg)
        if len(architect.actions(cfg)) > 500:
            big.add((fid, None))
        ends = {a["id"] for a in architect.actions(cfg) if architect.ends(a)}
        condensed = nx.condensation(g)
        for comp in condensed.nodes:
            members = condensed.nodes[comp]["members"]
            looping = len(members) > 1 or any(g.has_edge(m, m) for m in members)
            if looping and condensed.out_degree(comp) == 0 and not members & ends:
                trapped.update((fid, m) for m in members)
    want_big = {(f["flow"], None) for f in FLAWS if f["code"] == "CX102"}
    want_loop = {(f["flow"], f["node"]) for f in FLAWS if f["code"] == "CX109"}
    assert big == (want_big if tenant == "dev" else set())
    assert (
        (want_loop <= trapped and len({f for f, _ in trapped}) == 1)
        if tenant == "dev"
        else (trapped == set())
    )


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_unreachable_nodes_only_where_flawed(tenant: str) -> None:
    """Only the CX104 nodes are unreachable from initialSequence, in every published flow."""
    org = build_tenant(7, tenant)
    found = {(fid, node) for fid, (_, cfg) in _published(org).items() for node in _unreachable(cfg)}
    expected = {(f["flow"], f["node"]) for f in FLAWS if f["code"] == "CX104"}
    assert found == (expected if tenant == "dev" else set())


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_flow_cycles_only_where_flawed(tenant: str) -> None:
    """The flow-call graph has exactly one cycle in dev (the three modules), none in prod."""
    org = build_tenant(7, tenant)
    g = nx.DiGraph()
    for fid, (_, cfg) in _published(org).items():
        g.add_node(fid)
        for _, ref in _refs(cfg):
            if ref["kind"] in architect.MANIFEST_FLOWS:
                g.add_edge(fid, ref["id"])
    cycles = list(nx.simple_cycles(g))
    if tenant == "prod":
        assert cycles == []
        return
    (cycle,) = cycles
    names = sorted(org.flows[f].name for f in cycle)
    assert names == [
        "Flawed - Module Cycle A",
        "Flawed - Module Cycle B",
        "Flawed - Module Cycle C",
    ]
    cx101 = [f for f in FLAWS if f["code"] == "CX101"]
    assert [f["flow"] for f in cx101] == [f for f in cycle if org.flows[f].name.endswith("A")]


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_missing_resources_only_where_flawed(tenant: str) -> None:
    """Every reference resolves to a live resource or flow, except the CX105 one."""
    org = build_tenant(7, tenant)
    missing = set()
    for fid, (_, cfg) in _published(org).items():
        for node, ref in _refs(cfg):
            target = org.resources.get(ref["id"])
            live = ref["id"] in org.flows or (target is not None and not target.deleted)
            if not live:
                missing.add((fid, node))
    expected = {(f["flow"], f["node"]) for f in FLAWS if f["code"] == "CX105"}
    assert missing == (expected if tenant == "dev" else set())


def _caret_major(rng: str) -> int:
    match = re.fullmatch(r"\^(\d+)\.0", rng)
    assert match, f"fixtures only use ^N.0 ranges, not {rng!r}"
    return int(match.group(1))


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_version_ranges_conflict_only_where_flawed(tenant: str) -> None:
    """Ranges on module calls agree and are satisfiable, except at the CX106 nodes."""
    org = build_tenant(7, tenant)
    wanted: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for fid, (_, cfg) in _published(org).items():
        for node, ref in _refs(cfg):
            if ref.get("range"):
                wanted[ref["id"]].append((fid, node, _caret_major(ref["range"])))
    bad = set()
    for module, uses in wanted.items():
        ever = {v.major for v in org.flows[module].versions if v.published is not None}
        for fid, node, major in uses:
            if major not in ever:
                bad.add((fid, node))
        majors = {m for _, _, m in uses if m in ever}
        if len(majors) > 1:
            later = max(uses, key=lambda u: (u[2], org.flows[u[0]].name))
            bad.add((later[0], later[1]))
    expected = {(f["flow"], f["node"]) for f in FLAWS if f["code"] == "CX106"}
    assert bad == (expected if tenant == "dev" else set())


def test_prod_is_an_older_state_of_dev() -> None:
    """Every prod flow exists in dev by name with at least as many versions and same content."""
    dev, prod = build_tenant(7, "dev"), build_tenant(7, "prod")
    assert len(prod.flows) < len(dev.flows)
    for flow in prod.flows.values():
        twin = dev.flow_named(flow.name, flow.type)
        assert twin is not None and len(twin.versions) >= len(flow.versions)
        dev_actions = [a["id"] for a in architect.actions(twin.versions[0].config)]
        prod_actions = [a["id"] for a in architect.actions(flow.versions[0].config)]
        assert dev_actions == prod_actions
    assert any(
        len(dev.flow_named(f.name, f.type).versions) > len(f.versions)  # type: ignore[union-attr]
        for f in prod.flows.values()
    )
