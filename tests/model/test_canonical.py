"""Canonical JSON: the fast path is byte-identical to RFC 8785, and the hash is content-only."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.model.bundle import Bundle, Flow, Node
from cxops.model.canonical import canonical_bytes, content_hash, hash_document
from cxops.model.errors import CanonicalError
from cxops.model.parse import parse_json
from tests.model.strategies import SLOW_OK, json_values


@given(json_values())
@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK)
def test_fast_path_matches_rfc8785(doc: Any) -> None:
    """For any representable document the fast path gives exactly rfc8785's bytes."""
    assert canonical_bytes(doc) == rfc8785.dumps(doc)
    assert canonical_bytes(doc, fast=False) == rfc8785.dumps(doc)


@pytest.mark.parametrize(
    "doc",
    [
        1.0,
        1e21,
        1e-7,
        -0.0,
        2**53 - 1,
        9_007_199_254_740_991,
        {"\ue000": 1, "\U0001f600": 2},
        "line\u2028sep",
        "\x7f\x1f",
    ],
)
def test_fast_path_edge_cases(doc: Any) -> None:
    """The documented divergences of the stdlib encoder are handled by the fallback."""
    assert canonical_bytes(doc) == rfc8785.dumps(doc)


@pytest.mark.parametrize("doc", [float("nan"), float("inf"), 2**53, -(2**60)])
def test_unrepresentable_values_are_refused(doc: Any) -> None:
    """NaN, infinities and integers beyond 2**53 - 1 raise CanonicalError, not ValueError."""
    with pytest.raises(CanonicalError):
        canonical_bytes(doc)


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@given(
    json_values(),
    st.integers(0, 2**32),
    st.sampled_from([None, 0, 1, 4]),
    st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]),
)
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW_OK)
def test_hash_ignores_key_order_and_whitespace(
    doc: Any, seed: int, indent: int | None, separators: tuple[str, str]
) -> None:
    """The same content, re-ordered and re-spaced on disk, hashes the same after parsing."""
    text = json.dumps(
        _shuffled(doc, random.Random(seed)),
        indent=indent,
        separators=separators,
        ensure_ascii=seed % 2 == 0,
    )
    assert hash_document(parse_json(text.encode("utf-8"))) == hash_document(doc)


def test_content_hash_ignores_volatile_fields_and_input_order() -> None:
    """Export time and the stored hash do not change the hash; neither does node order."""
    nodes = [Node(id="b", type="say"), Node(id="a", type="start")]
    flow = Flow(id="f", name="F", kind="bot", entry=["a"], nodes=nodes)
    one = Bundle(vendor="cognigy", tenant="dev", project="p", flows=[flow])
    two = Bundle(
        vendor="cognigy",
        tenant="dev",
        project="p",
        flows=[flow.model_copy(update={"nodes": nodes[::-1]})],
        exported_at="2026-01-01T00:00:00Z",
        content_hash="sha256:old",
    )
    assert content_hash(one) == content_hash(Bundle.model_validate(two.model_dump()))
    assert content_hash(one).startswith("sha256:")
    changed = one.model_copy(update={"project": "q"})
    assert content_hash(changed) != content_hash(one)


@st.composite
def _bundle_parts(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(
        st.lists(st.text("abcdef", min_size=1, max_size=3), min_size=1, max_size=6, unique=True)
    )
    nodes = [
        {
            "id": i,
            "type": draw(st.sampled_from(["say", "if"])),
            "properties": draw(st.dictionaries(st.sampled_from("xyz"), json_values(), max_size=2)),
            "refs": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"kind": st.sampled_from(["flow", "intent"]), "id": st.sampled_from(ids)}
                    ),
                    max_size=2,
                )
            ),
        }
        for i in ids
    ]
    edges = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "source": st.sampled_from(ids),
                    "target": st.sampled_from(ids),
                    "kind": st.sampled_from(["next", "branch"]),
                    "condition": st.none() | st.just("yes"),
                }
            ),
            max_size=8,
        )
    )
    flows = [
        {
            "id": f"f{k}",
            "name": "F",
            "kind": "bot",
            "entry": ids[:2],
            "nodes": nodes,
            "edges": edges,
        }
        for k in range(draw(st.integers(1, 3)))
    ]
    resources = [{"kind": "intent", "id": i, "name": i} for i in ids]
    return {
        "vendor": "cognigy",
        "tenant": "dev",
        "project": "p",
        "flows": flows,
        "resources": resources,
    }


@given(_bundle_parts(), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_OK)
def test_content_hash_ignores_input_ordering(doc: dict[str, Any], rnd: random.Random) -> None:
    """Flows, nodes, edges, entries, refs and resources listed in any order hash the same."""
    shuffled = json.loads(json.dumps(doc))
    for collection in (shuffled["flows"], shuffled["resources"]):
        rnd.shuffle(collection)
    for flow in shuffled["flows"]:
        for key in ("nodes", "edges", "entry"):
            rnd.shuffle(flow[key])
        for node in flow["nodes"]:
            rnd.shuffle(node["refs"])
    assert content_hash(Bundle.model_validate(shuffled)) == content_hash(Bundle.model_validate(doc))
