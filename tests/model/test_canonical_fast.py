"""The fast paths (the C encoder and the numpy fallback): byte-identical to rfc8785 with floats,
and actually taken. Each test runs against both paths (``encode``)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.model import canonical_fast
from cxops.model.canonical import canonical_bytes
from cxops.model.canonical_fast import (
    compiled_canonical_bytes,
    fast_canonical_bytes,
    numpy_canonical_bytes,
)
from tests.model.encoders import Encoder, both_paths
from tests.model.strategies import FLOAT, KEYS, SAFE_INT, SLOW_OK, TEXT

# Floats around every place where orjson's and ECMAScript's forms part: whole numbers, both
# exponent thresholds (1e-7/1e-6 and 1e16/1e21), subnormals and the largest finite values.
EDGE_FLOATS = st.sampled_from(
    [0.0, -0.0, 1.0, -2.0, 1e15, 1e16, 9.5e20, 1e21, 1e22, 1e-5, 1e-6, 1e-7, 1.5e-7, 5e-324,
     1.7976931348623157e308, 0.1 + 0.2, 123456789012345680000.0, 2.0**53, 2.0**60]
)  # fmt: skip
NUMBERISH_TEXT = st.sampled_from(
    [":1.0,", "[2.0]", ",1e+16}", ":-0.0]", "1e-7", ",9007199254740993]", '":2.0,"', '\\":5e-6]',
     '1.25e+17}', '[-0.0,3.0e+20]', "\\", '"']
)  # fmt: skip


def documents(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5),
        max_leaves=40,
    )


CONTAINERS = st.one_of(st.lists(st.just(None), max_size=0), st.dictionaries(KEYS, st.none()))
LEAVES = st.none() | st.booleans() | SAFE_INT | TEXT | FLOAT | EDGE_FLOATS | NUMBERISH_TEXT


def test_the_compiled_path_is_installed() -> None:
    """An install from source built the C encoder and uses it (CI cannot fall back unseen):
    only the compiled path answers a bare float."""
    assert canonical_fast.COMPILED
    assert fast_canonical_bytes(2.5e-7) == b"2.5e-7"
    assert numpy_canonical_bytes(2.5e-7) is None


@both_paths
@given(documents(LEAVES))
@settings(max_examples=500, deadline=None, suppress_health_check=SLOW_OK)
def test_identical_to_rfc8785_where_it_answers(encode: Encoder, doc: Any) -> None:
    """Wherever the fast path answers, its bytes are rfc8785's, floats and astral keys included."""
    fast = encode(doc)
    if fast is not None:
        assert fast == rfc8785.dumps(doc)


@both_paths
@given(st.lists(EDGE_FLOATS | FLOAT, min_size=1, max_size=30), st.integers(1, 60))
@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK)
def test_floats_take_the_fast_path(encode: Encoder, floats: list[float], depth: int) -> None:
    """Documents full of floats, deep or flat, are answered by the fast path, not the fallback."""
    doc: Any = {"position": {"x": floats[0], "y": floats}, "name": "Greeting"}
    for _ in range(depth):
        doc = {"child": doc, "weight": floats[-1]}
    fast = encode(doc)
    assert fast is not None
    assert fast == rfc8785.dumps(doc)


@both_paths
@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([1.0, -0.0, 100.0], b"[1,0,100]"),
        ({"a": 1e16, "b": 1e21}, b'{"a":10000000000000000,"b":1e+21}'),
        ([1e-6, 1e-7, 1.5e-7], b"[0.000001,1e-7,1.5e-7]"),
        ({"b": [2.5], "a": {"d": 1e300}}, b'{"a":{"d":1e+300},"b":[2.5]}'),
        ([9_007_199_254_740_991, 1_234_567_890_123_456], b"[9007199254740991,1234567890123456]"),
    ],
)
def test_rewritten_number_forms(encode: Encoder, doc: Any, expected: bytes) -> None:
    """Whole floats lose '.0', exponents follow ECMAScript's thresholds, safe long ints stay."""
    assert encode(doc) == expected == rfc8785.dumps(doc)


@both_paths
@pytest.mark.parametrize(
    "doc",
    [
        {"text": "a :1.0, b", "n": 1.0, "m": [-0.0, "[2.0]", 1e16]},
        {"say": 'he said "1e+16," and left', "v": [9.5e-6, -1.25e17, 'x"y']},
        {"astral in a value": "\U0001f600", "n": 3.0},
        ["-0.0", -0.0, "-0.05", -0.05, 10.0],
    ],
)
def test_number_text_inside_strings_is_left_alone(encode: Encoder, doc: Any) -> None:
    """Number-like text in strings, escaped quotes and astral values: answered, and identical."""
    fast = encode(doc)
    assert fast is not None
    assert fast == rfc8785.dumps(doc)


@dataclasses.dataclass
class Point:
    x: int


@both_paths
@pytest.mark.parametrize(
    "doc",
    [
        [2**53],  # beyond 2**53 - 1: the reference refuses it
        [-(2**60)],
        [2**70],  # beyond orjson's 64 bits
        [float("nan")],
        {"\U0001f600": 1, "\ue000": 2},  # UTF-16 order differs from code-point order
        {1: "not a string key"},
        ["lone \ud800 surrogate"],
        {"a": [1.5, float("nan")]},  # orjson would write null
        [[float("inf")], -float("inf")],
        {"x": float("inf") - float("inf")},  # arithmetic makes a negative NaN
        [datetime.date(2026, 1, 1)],
        [Point(1)],
    ],
)
def test_falls_back_where_it_cannot_prove_identity(encode: Encoder, doc: Any) -> None:
    """Everything the fast path cannot make identical is handed to the reference (None)."""
    assert encode(doc) is None


@pytest.mark.parametrize(
    "doc",
    [
        {"path": "C:\\", "n": 2.0},  # a quote after an escaped backslash
        1.0,  # bare scalars
        (1.0, 2),
    ],
)
def test_numpy_path_leaves_these_to_the_reference(doc: Any) -> None:
    """The numpy path cannot tell quotes after escaped backslashes by counting, and takes only
    documents delimited by brackets; the C encoder answers them, identically, and the
    canonical form is rfc8785's either way."""
    assert numpy_canonical_bytes(doc) is None
    if compiled_canonical_bytes is not None:
        assert compiled_canonical_bytes(doc) == rfc8785.dumps(doc)
    assert canonical_bytes(doc) == rfc8785.dumps(doc)
