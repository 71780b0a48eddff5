"""The graph layer agrees with networkx on generated graphs: SCCs, cycles, reachability, order."""

from __future__ import annotations

import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.analysis.graph import Graph
from tests.model.strategies import SLOW_OK


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[int], list[int]]:
    n = draw(st.integers(1, 30))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80))
    return n, [a for a, _ in edges], [b for _, b in edges]


def _nx(n: int, src: list[int], dst: list[int]) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(src, dst, strict=True))
    return g


@given(graphs())
@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_OK)
def test_cyclic_components_and_cycles_match_networkx(
    case: tuple[int, list[int], list[int]],
) -> None:
    """Cyclic SCCs equal networkx's; each reported cycle is a real closed path inside its SCC,
    and every simple cycle networkx finds lies inside one reported component."""
    n, src, dst = case
    g, ref = Graph(n, src, dst), _nx(n, src, dst)
    expected = sorted(
        sorted(c)
        for c in nx.strongly_connected_components(ref)
        if len(c) > 1 or ref.has_edge(next(iter(c)), next(iter(c)))
    )
    assert sorted(g.components()) == expected
    edges = set(zip(src, dst, strict=True))
    for comp, path in zip(g.components(), g.cycles(), strict=True):
        assert path[0] == path[-1] == min(comp)
        assert set(path) <= set(comp)
        assert all((a, b) in edges for a, b in itertools.pairwise(path))
    members = [set(c) for c in g.components()]
    for cycle in nx.simple_cycles(ref, length_bound=6):
        assert any(set(cycle) <= m for m in members)


@given(graphs(), st.lists(st.integers(0, 29), max_size=3))
@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_OK)
def test_reachability_matches_networkx(
    case: tuple[int, list[int], list[int]], starts: list[int]
) -> None:
    """Nodes reachable from the sources are exactly networkx's descendants plus the sources."""
    n, src, dst = case
    starts = [s for s in starts if s < n]
    ref = _nx(n, src, dst)
    expected = set(starts).union(*(nx.descendants(ref, s) for s in starts))
    seen = Graph(n, src, dst).reachable(starts)
    assert {i for i in range(n) if seen[i]} == expected


@given(graphs())
@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_OK)
def test_topological_order(case: tuple[int, list[int], list[int]]) -> None:
    """A valid topological order when the graph is acyclic, None when it is not."""
    n, src, dst = case
    order = Graph(n, src, dst).topological_order()
    if nx.is_directed_acyclic_graph(_nx(n, src, dst)):
        assert order is not None and sorted(order) == list(range(n))
        rank = {v: i for i, v in enumerate(order)}
        assert all(rank[a] < rank[b] for a, b in zip(src, dst, strict=True))
    else:
        assert order is None


def test_large_cycle_needs_no_recursion() -> None:
    """A 200,000-node ring is one component with a full-length path (no recursion limit)."""
    n = 200_000
    g = Graph(n, list(range(n)), [(i + 1) % n for i in range(n)])
    (path,) = g.cycles()
    assert len(path) == n + 1


def test_thousands_of_loops_each_get_their_own_path() -> None:
    """5,000 separate two-node loops in one graph: one closed path each, inside its loop."""
    pairs = 5_000
    src = [2 * i for i in range(pairs)] + [2 * i + 1 for i in range(pairs)]
    dst = [2 * i + 1 for i in range(pairs)] + [2 * i for i in range(pairs)]
    cycles = Graph(2 * pairs, src, dst).cycles()
    assert cycles == [[2 * i, 2 * i + 1, 2 * i] for i in range(pairs)]
