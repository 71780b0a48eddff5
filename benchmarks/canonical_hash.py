"""Content hashing speed: cxops' canonical JSON + SHA-256 against the reference ``rfc8785``.

Generates a bundle document of about ``--mb`` MB the way an export holds one (flows of nodes with
vendor properties, refs and edges), once with integers only and once where vendor values carry
floats (positions, thresholds, confidence scores; whole floats, exponents and fractions), hashes
each with ``cxops.model.canonical.hash_document`` and with ``rfc8785.dumps`` + SHA-256 in the same
run, and checks the canonical bytes are identical. Prints which fast path ran: the C encoder
(``cxops.model._jcs``) or, where it was not built, the numpy path.

    .venv/bin/python benchmarks/canonical_hash.py --mb 100

Ends with ``RESULT mbps_floats=<n> mbps_plain=<n> identical=<true|false>`` (cxops' MB/s).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import itertools
import random
import time
from typing import Any

import rfc8785

from cxops.model import canonical_fast
from cxops.model.canonical import canonical_bytes, hash_document

_WORDS = ["greeting", "menu", "billing", "agent", "transfer", "hold", "queue", "survey", "retry"]


def _number(rng: random.Random, floats: bool) -> float | int:
    if not floats:
        return rng.randrange(-5000, 5000)
    pick = rng.random()
    if pick < 0.3:
        return float(rng.randrange(0, 2000))  # canvas positions: whole floats
    if pick < 0.6:
        return round(rng.random(), rng.randrange(1, 6))  # thresholds
    if pick < 0.9:
        return rng.random()  # confidence scores: 17 significant digits
    return rng.choice([1e-7, 2.5e-9, 1e21, 3.2e25, 1e16, 123456.0e12])  # exponent forms


def _node(rng: random.Random, i: int, floats: bool) -> dict[str, Any]:
    text = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(4, 14)))
    return {
        "id": f"{rng.getrandbits(128):032x}",
        "type": rng.choice(["say", "question", "lookup", "if", "code", "executeFlow"]),
        "label": f"{rng.choice(_WORDS).title()} {i}",
        "properties": {
            "config": {"text": text, "retries": rng.randrange(0, 4), "locale": "en-US"},
            "position": {"x": _number(rng, floats), "y": _number(rng, floats)},
            "threshold": _number(rng, floats),
            "scores": [_number(rng, floats) for _ in range(3)],
            "comment": "",
        },
        "refs": [{"kind": "intent", "id": f"{rng.getrandbits(64):016x}", "version": None}],
    }


def generate(megabytes: float, *, floats: bool, seed: int = 8785) -> dict[str, Any]:
    """A bundle document of about ``megabytes`` MB of canonical JSON."""
    rng = random.Random(seed)
    flows: list[dict[str, Any]] = []
    size, target = 0, int(megabytes * 1_000_000)
    while size < target:
        nodes = [_node(rng, i, floats) for i in range(500)]
        edges = [
            {"source": a["id"], "target": b["id"], "kind": "next", "condition": None}
            for a, b in itertools.pairwise(nodes)
        ]
        flow = {"id": f"flow-{len(flows)}", "name": f"Flow {len(flows)}", "kind": "bot"}
        flow |= {"entry": [nodes[0]["id"]], "nodes": nodes, "edges": edges}
        flows.append(flow)
        size += len(canonical_bytes(flow))
    return {"format": "cxops.bundle/1", "vendor": "cognigy", "project": "bench", "flows": flows}


def _timed(fn: Any, doc: Any) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    out = fn(doc)
    return time.perf_counter() - start, out


def _reference(doc: Any) -> tuple[str, bytes]:
    raw: bytes = rfc8785.dumps(doc)
    return "sha256:" + hashlib.sha256(raw).hexdigest(), raw


def measure(megabytes: float, floats: bool, repeat: int) -> tuple[float, float, bool]:
    doc = generate(megabytes, floats=floats)
    ours = min(_timed(hash_document, doc)[0] for _ in range(repeat))
    ref_seconds, (ref_hash, raw) = _timed(_reference, doc)
    mb = len(raw) / 1_000_000
    identical = hash_document(doc) == ref_hash and canonical_bytes(doc) == raw
    label = "floats" if floats else "plain"
    print(
        f"{label:6}  {mb:7.1f} MB  cxops {ours:6.2f} s = {mb / ours:7.1f} MB/s   "
        f"rfc8785 {ref_seconds:6.2f} s = {mb / ref_seconds:5.1f} MB/s   identical={identical}"
    )
    return mb / ours, mb / ref_seconds, identical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="size of each document")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for cxops' path")
    args = parser.parse_args()
    path = "compiled (cxops.model._jcs)" if canonical_fast.COMPILED else "numpy (no _jcs built)"
    print(f"fast path: {path}")
    plain, _, same_plain = measure(args.mb, floats=False, repeat=args.repeat)
    with_floats, _, same_floats = measure(args.mb, floats=True, repeat=args.repeat)
    identical = str(same_plain and same_floats).lower()
    print(f"RESULT mbps_floats={with_floats:.1f} mbps_plain={plain:.1f} identical={identical}")


if __name__ == "__main__":
    main()
