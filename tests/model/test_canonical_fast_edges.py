"""Edge cases of the fast paths, written for the C encoder (``_jcs.c``) and run against both:
string escapes, number forms at every threshold, integer and depth limits, types and keys the
reference must judge, and documents large enough to grow every buffer."""

from __future__ import annotations

import enum
import math
import random
import string
from collections import OrderedDict
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.model.canonical_fast import compiled_canonical_bytes
from tests.model.encoders import Encoder, both_paths
from tests.model.strategies import SLOW_OK

CONTROLS = "".join(map(chr, range(0x20)))
# A string of this is ASCII in CPython (one byte per character), with "é" it is not: the C
# encoder has a path for each, so every case below is tried both ways.
SPECIALS = CONTROLS + '\x7f"\\/\u2028\u2029 ~'


def _identical(encode: Encoder, doc: Any, *, numpy_may_decline: bool = False) -> None:
    """The path answers, and with rfc8785's bytes (the numpy path may decline what it cannot
    prove identical, where told)."""
    out = encode(doc)
    if out is None and numpy_may_decline and encode is not compiled_canonical_bytes:
        return
    assert out is not None
    assert out == rfc8785.dumps(doc)


@both_paths
@pytest.mark.parametrize("tail", ["", "é", "\u20ac", "\U0001f600"])
@pytest.mark.parametrize("char", list(SPECIALS))
def test_each_special_character_in_values_and_keys(encode: Encoder, char: str, tail: str) -> None:
    """Controls as \\b \\f \\n \\r \\t or lowercase \\u00xx, quote and backslash escaped; U+007F,
    U+2028 and everything else raw, in ASCII, Latin-1, BMP and astral strings alike."""
    text = f"a{char}b{tail}"
    doc = {"v": [text, char], text if tail != "\U0001f600" else char: 1}
    # a key or string ending in a backslash puts a quote after an escaped backslash, which the
    # numpy path cannot tell from an escaped quote by counting
    _identical(encode, doc, numpy_may_decline=char == "\\")


@both_paths
def test_control_escapes_are_exact(encode: Encoder) -> None:
    """The escapes ECMAScript's JSON.stringify writes (RFC 8785 §3.2.2.2), byte for byte."""
    out = encode([CONTROLS + '"\\\x7f\u2028'])
    expected = (
        b'["\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r'
        b"\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019"
        b'\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\"\\\\\x7f\xe2\x80\xa8"]'
    )
    assert out == expected == rfc8785.dumps([CONTROLS + '"\\\x7f\u2028'])


@both_paths
def test_surrogate_pairs_in_values_are_utf8(encode: Encoder) -> None:
    """Astral characters in values are four UTF-8 bytes (Python holds them as one code point)."""
    _identical(encode, {"emoji": "\U0001f600\U0010ffff x \U00010000", "n": 1.5})


@both_paths
@pytest.mark.parametrize(
    "doc",
    [
        ["\ud800"],
        ["é\udfff"],
        {"k": "a\ud83d"},
        {"\udc00": 1},
        [float("nan")],
        {"a": float("inf")},
        [-float("inf")],
        {"\U0001f600": 1},  # keys outside the BMP sort by UTF-16 code units
        {"a": 1, "b\U00010000": 2},
        {1: 1},
        {None: 1},
        {(1,): 1},
        {True: 1},
        [2**53],
        [-(2**53)],
        [2**63],
        [-(2**64)],
        [10**400],
    ],
)
def test_left_to_the_reference(encode: Encoder, doc: Any) -> None:
    """Lone surrogates, non-finite floats, keys outside the BMP or not str, integers beyond
    2**53 - 1: None, with no exception left behind."""
    assert encode(doc) is None


@both_paths
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-0.0, b"0"),
        (0.0, b"0"),
        (1e21, b"1e+21"),
        (-1e21, b"-1e+21"),
        (1e20, b"100000000000000000000"),
        (9.5e20, b"950000000000000000000"),
        (123456789012345680000.0, b"123456789012345680000"),
        (1e-7, b"1e-7"),
        (1e-6, b"0.000001"),
        (1.5e-6, b"0.0000015"),
        (-1.25e-7, b"-1.25e-7"),
        (5e-324, b"5e-324"),
        (1.7976931348623157e308, b"1.7976931348623157e+308"),
        (2.0**53 - 1, b"9007199254740991"),
        (2.0**53, b"9007199254740992"),
        (2.0**53 + 2, b"9007199254740994"),
        (-(2.0**53), b"-9007199254740992"),
        (2.0**60, b"1152921504606847000"),
        (1e16, b"10000000000000000"),
        (0.1 + 0.2, b"0.30000000000000004"),
        (123.456, b"123.456"),
        (1.5e300, b"1.5e+300"),
        (2.2250738585072014e-308, b"2.2250738585072014e-308"),
        (2.225073858507201e-308, b"2.225073858507201e-308"),  # subnormal: dtoa, not the short path
        (1e-22, b"1e-22"),
        (1.5e-23, b"1.5e-23"),
        (0.1, b"0.1"),
        (999999999999999.9, b"999999999999999.9"),
        (123456789012345.6, b"123456789012345.6"),
        (0.30000000000000004, b"0.30000000000000004"),
        (1.0000000000000002, b"1.0000000000000002"),
    ],
)
def test_number_forms(encode: Encoder, value: float, expected: bytes) -> None:
    """ECMAScript's Number::toString at each threshold: whole floats, 1e21, 1e-7, extremes."""
    assert encode([value]) == b"[" + expected + b"]" == rfc8785.dumps([value])


@both_paths
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
@settings(max_examples=1000, deadline=None, suppress_health_check=SLOW_OK)
def test_any_finite_float(encode: Encoder, floats: list[float]) -> None:
    """Every finite float is written as rfc8785 writes it."""
    _identical(encode, floats)


@both_paths
@given(st.integers(-(10**17), 10**17), st.integers(-30, 30))
@settings(max_examples=1000, deadline=None, suppress_health_check=SLOW_OK)
def test_short_decimals(encode: Encoder, digits: int, exponent: int) -> None:
    """Decimals of up to 17 digits at any scale (the C encoder writes those of 15 digits or
    fewer without dtoa: 0.25, 1.2e-9, 123456789012345e-3), and their neighbours."""
    value = float(f"{digits}e{exponent}")
    _identical(encode, [value, math.nextafter(value, math.inf), math.nextafter(value, -math.inf)])


@both_paths
@given(st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1).map(float))
@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK)
def test_whole_floats_below_2_53(encode: Encoder, value: float) -> None:
    """Whole floats up to 2**53 are written as integers."""
    _identical(encode, [value, -value])


@both_paths
@pytest.mark.parametrize(
    "value", [0, 1, -1, 2**31, 2**32 + 1, 2**53 - 1, -(2**53) + 1, 1_234_567_890_123_456]
)
def test_integers_in_range(encode: Encoder, value: int) -> None:
    """Integers within +-(2**53 - 1) are their decimal digits."""
    assert encode([value]) == f"[{value}]".encode() == rfc8785.dumps([value])


@both_paths
def test_bool_is_not_int(encode: Encoder) -> None:
    """True and False are literals, never 1 and 0."""
    assert encode([True, False, 1, 0, None]) == b"[true,false,1,0,null]"


def _nested(depth: int) -> Any:
    """Containers nested ``depth`` deep: dicts, lists and tuples in turn."""
    doc: Any = 1.5
    for level in range(depth):
        doc = ({"d": doc, "x": 2.0}, [doc], (doc,))[level % 3]
    return doc


@both_paths
@pytest.mark.parametrize("depth", [1, 100, 253, 254])
def test_nesting_up_to_the_limit(encode: Encoder, depth: int) -> None:
    """Up to 254 nested containers (orjson's limit, kept by the C encoder) are answered."""
    doc = _nested(depth)
    if isinstance(doc, tuple):
        doc = list(doc)  # the numpy path takes only dicts and lists at the top
    _identical(encode, doc)


@both_paths
@pytest.mark.parametrize("depth", [255, 256, 2000])
def test_nesting_past_the_limit(encode: Encoder, depth: int) -> None:
    """Past the limit the reference decides (it raises RecursionError past Python's limit)."""
    assert encode([_nested(depth - 1)]) is None


@both_paths
def test_tuples_are_arrays(encode: Encoder) -> None:
    """Tuples are written as arrays, as the reference does."""
    _identical(encode, {"t": (1, (2.0, ()), [()]), "u": ()})


def test_compiled_path_takes_tuples_and_scalars_at_the_top() -> None:
    """The C encoder answers any value, not only a dict or a list."""
    if compiled_canonical_bytes is None:
        pytest.skip("_jcs not built")
    for doc in [(1, 2.5), "é\n", 1e21, -0.0, None, True, 7]:
        assert compiled_canonical_bytes(doc) == rfc8785.dumps(doc)


class Colour(enum.IntEnum):
    RED = 1


class Text(str):
    pass


class Number(float):
    pass


class Mapping(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


@both_paths
@pytest.mark.parametrize(
    "doc",
    [
        [Colour.RED],
        [Text("x")],
        {Text("k"): 1},
        [Number(1.5)],
        [Mapping(a=1)],
        [Items([1])],
        [OrderedDict(a=1)],
        [b"bytes"],
        [1 + 2j],
        [{1, 2}],
    ],
)
def test_subclasses_and_other_types(encode: Encoder, doc: Any) -> None:
    """Subclasses of dict/list/str/int/float and other types: the reference judges them (it
    converts subclasses with their own methods); the C encoder never answers for them."""
    out = encode(doc)
    if encode is compiled_canonical_bytes:
        assert out is None
    elif out is not None:
        assert out == rfc8785.dumps(doc)


@both_paths
@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 64, 5000])
def test_key_order(encode: Encoder, size: int) -> None:
    """Keys sort by code point (UTF-16 order inside the BMP) in small and large objects (the C
    encoder sorts up to 12 in place and more with qsort)."""
    rng = random.Random(size)
    alphabet = string.ascii_letters + "éü\u00ff\u0100\ue000\uffff_-~ \x01"
    keys = {"".join(rng.choices(alphabet, k=rng.randrange(0, 6))) for _ in range(size)}
    doc = {key: rng.choice([1.5, "v", None, [], {}]) for key in keys}
    _identical(encode, {"object": doc})


@both_paths
def test_large_document(encode: Encoder) -> None:
    """A few MB of nodes, long strings with escapes (ASCII and not) and many floats: every
    buffer grows many times, and the bytes are still rfc8785's."""
    rng = random.Random(8785)
    nodes = [
        {
            "id": f"{rng.getrandbits(64):016x}",
            "text": 'say "hi"\n\t' * rng.randrange(1, 20) + "é" * (i % 3),
            "position": {"x": rng.random() * 1000, "y": float(rng.randrange(2000))},
            "scores": [rng.random(), rng.choice([1e-7, 1e21, 2.5e-9, 3.0])],
            "n": rng.randrange(-(2**53) + 1, 2**53),
        }
        for i in range(4000)
    ]
    doc = {"nodes": nodes, "big": "x\x00y" * 200_000, "wide": "é\u2028\x1f" * 100_000}
    _identical(encode, doc)
