"""Benchmark: `cxops validate` end to end on 1e6 nodes / 3e6 edges, against networkx.

Generates an export repository (flows/<vendor>/<project>/<flow>.json, ~500 nodes per flow, three
edges per node, menu loops that can be left, a few trap loops, dangling edges, unreachable nodes,
oversized flows and a dependency cycle between flows), then runs, each in its own process so
peak memory is measured separately:

- cxops: the same code as `cxops validate` (strict parse, index, graph, every check, line:column
  for every finding);
- baseline: json.loads of the same files, a networkx DiGraph with string ids, strongly connected
  components, a cycle path for each cyclic component, reachability from the entry points, loops
  without exit, and the flow dependency graph's cycles (the same graph work).

Prints both, then `RESULT seconds=... baseline_seconds=... ratio=... peak_mb=...`.
Usage: python benchmarks/validate_scale.py [--nodes 1000000] [--keep DIR]
(``--keep DIR`` generates into DIR once; later runs with the same ``--nodes`` reuse it.)
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLOW_SIZE = 500
_TIMING = ("seconds", "peak_mb", "parent_mb", "worker_mb", "workers")


def _flow(rng: random.Random, index: int, size: int, flows: int) -> dict[str, Any]:
    ids = [f"n{index}-{i}" for i in range(size)]
    nodes: list[dict[str, Any]] = [
        {"id": ids[i], "type": "say", "label": f"Step {i}", "properties": {"text": f"Say {i}"}}
        for i in range(size)
    ]
    nodes[-1]["terminal"] = True
    nodes[-1]["type"] = "end"
    edges = []
    for i in range(size - 1):
        edges.append({"source": ids[i], "target": ids[i + 1]})
        j = min(size - 1, i + rng.randint(2, 30))
        edges.append({"source": ids[i], "target": ids[j], "kind": "branch", "condition": "yes"})
        # Every tenth node re-prompts: a loop back that can be left (it also goes forward).
        back = max(0, i - rng.randint(1, 8)) if i % 10 == 5 else min(size - 1, i + 1)
        edges.append({"source": ids[i], "target": ids[back], "kind": "branch", "condition": "no"})
    while len(edges) < 3 * size:
        edges.append(
            {
                "source": ids[-1],
                "target": ids[0],
                "kind": "branch",
                "condition": f"restart{len(edges)}",
            }
        )
    if index % 97 == 1:  # a trap: two nodes that only point at each other
        edges = [e for e in edges if e["source"] not in (ids[3], ids[4])]
        edges += [{"source": ids[3], "target": ids[4]}, {"source": ids[4], "target": ids[3]}]
    if index % 89 == 2:
        edges.append({"source": ids[5], "target": "missing-node"})
    if index % 83 == 3:
        nodes.append({"id": f"n{index}-orphan", "type": "say", "label": "Old menu"})
    if index % 4 == 0 and index + 1 < flows:  # flows calling the next flow
        nodes[1]["refs"] = [{"kind": "flow", "id": f"flow-{index + 1:06d}"}]
    if index == 1 and flows > 4:  # 0 → 1 → 4 → 5 ... and 1 → 0: a dependency cycle
        nodes[2]["refs"] = [{"kind": "flow", "id": "flow-000000"}]
    return {
        "id": f"flow-{index:06d}",
        "name": f"Flow {index}",
        "kind": "bot",
        "entry": [ids[0]],
        "nodes": nodes,
        "edges": edges,
    }


def _generated(root: Path, total_nodes: int) -> tuple[int, int]:
    """:func:`generate` into ``root``; a ``--keep`` folder that already holds the repository
    for this ``--nodes`` (its ``generated.json``) is reused as it is, any other content refused."""
    stamp = root / "generated.json"
    if stamp.is_file():
        done = json.loads(stamp.read_text())
        if done.get("requested") == total_nodes:
            print(f"reusing the repository generated in {root}")
            return int(done["nodes"]), int(done["edges"])
    if root.exists() and any(root.iterdir()):
        sys.exit(f"{root} is not empty and holds no repository for --nodes {total_nodes}")
    nodes, edges = generate(root, total_nodes)
    stamp.write_text(json.dumps({"requested": total_nodes, "nodes": nodes, "edges": edges}))
    return nodes, edges


def generate(root: Path, total_nodes: int, seed: int = 1) -> tuple[int, int]:
    """Write the repository; return (nodes, edges) written."""
    rng = random.Random(seed)
    project = root / "flows" / "cognigy" / "bench"
    project.mkdir(parents=True)
    meta = {"format": "cxops.bundle/1", "vendor": "cognigy", "tenant": "bench", "project": "bench"}
    (project / "_bundle.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    flows = max(1, total_nodes // FLOW_SIZE)
    n_nodes = n_edges = 0
    for index in range(flows):
        size = FLOW_SIZE + (40 if index % 250 == 7 else 0)  # a few oversized flows
        flow = _flow(rng, index, size, flows)
        n_nodes += len(flow["nodes"])
        n_edges += len(flow["edges"])
        text = json.dumps(flow, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (project / f"{flow['id']}.json").write_text(text, encoding="utf-8")
    return n_nodes, n_edges


def run_cxops(root: Path) -> dict[str, Any]:
    """`cxops validate` end to end, in this process."""
    from cxops.cli.validate import collect

    start = time.perf_counter()
    findings = collect([root], max_nodes=FLOW_SIZE, max_bytes=64 * 1024 * 1024)
    seconds = time.perf_counter() - start
    codes: dict[str, int] = {}
    for f in findings:
        codes[f.code] = codes.get(f.code, 0) + 1
    return {"seconds": seconds, "findings": codes}


def run_networkx(root: Path) -> dict[str, Any]:
    """The same graph work with json + networkx (the approach the seeds take, done right)."""
    import networkx as nx

    start = time.perf_counter()
    graph = nx.DiGraph()
    deps = nx.DiGraph()
    entries = []
    terminal = set()
    dangling = 0
    sizes = {}
    for path in sorted((root / "flows").rglob("*.json")):
        if path.name == "_bundle.json":
            continue
        doc = json.loads(path.read_bytes())
        fid = doc["id"]
        known = {n["id"] for n in doc["nodes"]}
        sizes[fid] = len(known)
        for n in doc["nodes"]:
            graph.add_node((fid, n["id"]))
            if n.get("terminal"):
                terminal.add((fid, n["id"]))
            for ref in n.get("refs", []):
                deps.add_edge(fid, ref["id"])
        for e in doc["edges"]:
            if e["target"] in known and e["source"] in known:
                graph.add_edge((fid, e["source"]), (fid, e["target"]))
            else:
                dangling += 1
        entries += [(fid, e) for e in doc["entry"]]
    reach = set(entries)
    for e in entries:
        reach |= nx.descendants(graph, e)
    unreachable = graph.number_of_nodes() - len(reach)
    traps = cycles = 0
    for comp in nx.strongly_connected_components(graph):
        if len(comp) == 1:
            (only,) = comp
            if not graph.has_edge(only, only):
                continue
        cycles += 1
        nx.find_cycle(graph.subgraph(comp))
        leaves = any(v not in comp for u in comp for v in graph.successors(u))
        if not leaves and not (comp & terminal):
            traps += 1
    dep_cycles = [c for c in nx.strongly_connected_components(deps) if len(c) > 1]
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cyclic_components": cycles,
        "traps": traps,
        "unreachable": unreachable,
        "dangling": dangling,
        "dependency_cycles": len(dep_cycles),
        "oversized": sum(1 for s in sizes.values() if s > FLOW_SIZE),
    }


def _side(name: str, root: Path) -> dict[str, Any]:
    """Run one side in a fresh interpreter; its peak RSS is that process's alone."""
    out = subprocess.run(
        [sys.executable, __file__, "--side", name, "--root", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument(
        "--keep",
        type=Path,
        help="generate into (and keep) this folder; later runs with the same --nodes reuse it",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each side this many times, alternating, and keep the best "
        "(other work on the machine only ever makes a run slower)",
    )
    parser.add_argument("--side", choices=["cxops", "networkx"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        result = run_cxops(args.root) if args.side == "cxops" else run_networkx(args.root)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        workers = 0
        if args.side == "cxops" and child:
            from cxops.cli.validate import _workers

            workers = _workers()
        # Conservative: the parent's peak plus every worker at the largest worker's peak
        # (RSS counts pages shared after fork in each process, so this over-counts).
        result["peak_mb"] = own + workers * child
        result["parent_mb"], result["worker_mb"], result["workers"] = own, child, workers
        print(json.dumps(result))
        return
    tmp = Path(tempfile.mkdtemp(prefix="cxops-bench-")) if args.keep is None else args.keep
    try:
        start = time.perf_counter()
        nodes, edges = _generated(tmp, args.nodes)
        size = sum(p.stat().st_size for p in tmp.rglob("*.json")) / 1e6
        print(
            f"generated {nodes} nodes, {edges} edges, {size:.0f} MB "
            f"in {time.perf_counter() - start:.1f} s"
        )
        ours: dict[str, Any] = {}
        base: dict[str, Any] = {}
        peak = 0.0
        for _ in range(max(1, args.repeat)):
            run = _side("cxops", tmp)
            peak = max(peak, run["peak_mb"])
            ours = run if not ours or run["seconds"] < ours["seconds"] else ours
            run = _side("networkx", tmp)
            base = run if not base or run["seconds"] < base["seconds"] else base
        print(
            f"cxops:    {ours['seconds']:.2f} s, peak {ours['peak_mb']:.0f} MB "
            f"(parent {ours['parent_mb']:.0f} MB + {ours['workers']} worker(s) x "
            f"{ours['worker_mb']:.0f} MB), findings {ours['findings']}"
        )
        print(
            f"networkx: {base['seconds']:.2f} s, peak {base['peak_mb']:.0f} MB, "
            f"{ {k: v for k, v in base.items() if k not in _TIMING} }"
        )
        ratio = ours["seconds"] / base["seconds"]
        print(
            f"RESULT seconds={ours['seconds']:.2f} baseline_seconds={base['seconds']:.2f} "
            f"ratio={ratio:.3f} peak_mb={peak:.0f}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
