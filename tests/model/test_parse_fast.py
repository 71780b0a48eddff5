"""The compiled parse path accepts exactly what the strict parser accepts, with the same values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.model.errors import ParseError
from cxops.model.parse import parse_json
from cxops.model.parse_fast import fast_parse
from tests.model.strategies import SLOW_OK, json_values

# Fragments that break one rule each, spliced into valid documents at random places.
HOSTILE = st.sampled_from(
    [b'"a": 1, "a": 2', b"NaN", b"-Infinity", b"1e400", b"9007199254740993", b"-9007199254740992",
     b"18446744073709551616", b"1" * 30, b"0." + b"0" * 25 + b"1", b'"\\ud800"', b'"\xed\xa0\x80"',
     b"\xff", b"\xef\xbb\xbf", b"[" * 200, b"]", b",", b'"\\"', b'"\\\\"', b'":', b"\x01", b"{"]
)  # fmt: skip


def _strict(data: bytes, depth: int) -> tuple[Any] | None:
    try:
        return (parse_json(data, max_depth=depth, fast=False),)
    except ParseError:
        return None


@given(json_values(), st.sampled_from([1, 3, 128]), st.booleans(), st.integers(0, 4))
@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
def test_valid_documents_agree(doc: Any, depth: int, ascii_only: bool, indent: int) -> None:
    """On documents json.dumps writes, both paths accept (or refuse) alike, with equal values."""
    data = json.dumps(doc, ensure_ascii=ascii_only, indent=indent or None).encode()
    fast, strict = fast_parse(data, depth), _strict(data, depth)
    if fast is not None:
        assert strict is not None
        assert repr(fast[0]) == repr(strict[0])  # repr: -0.0 vs 0.0 and 1 vs 1.0 differ


@given(json_values(), st.data())
@settings(max_examples=600, deadline=None, suppress_health_check=SLOW_OK)
def test_hostile_splices_are_never_accepted_alone(doc: Any, data: st.DataObject) -> None:
    """Whatever the fast path accepts, the strict parser accepts too, with the same value."""
    text = json.dumps({"doc": doc, "pad": [doc, {"k": doc}]}).encode()
    cut = data.draw(st.integers(0, len(text)))
    mutated = text[:cut] + data.draw(HOSTILE) + text[cut:]
    fast = fast_parse(mutated, 128)
    if fast is not None:
        strict = _strict(mutated, 128)
        assert strict is not None, mutated
        assert repr(fast[0]) == repr(strict[0])


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "a": 2}',
        b'{"x": {"y": 1, "y": {"z": 2}}}',
        b'{"key\\"": 1, "key\\"": 2}',
        b'{"k\\\\": 1, "k\\\\": 2}',
        b"[NaN]",
        b'["\\ud800"]',
        b"[[[[1]]]]",  # deeper than the limit of 3 below
    ],
)
def test_refusals_are_left_to_the_strict_parser(data: bytes) -> None:
    """Each I-JSON rule orjson does not enforce by itself sends the input to the strict parser."""
    assert fast_parse(data, 3) is None
    with pytest.raises(ParseError):
        parse_json(data, max_depth=3)


@pytest.mark.parametrize(
    "data",
    [
        b"[9007199254740992]",
        b"9007199254740992",
        b"[18446744073709551616]",
        b"[1e400]",
        b"[1.5e999]",
    ],
)
def test_numbers_rfc8785_cannot_hold_are_left_to_the_strict_parser(data: bytes) -> None:
    """Integers beyond 2**53 - 1 (also past 64 bits, which orjson turns into floats) and numbers
    overflowing to infinity are not vouched for: the strict parser refuses them."""
    assert fast_parse(data, 128) is None
    with pytest.raises(ParseError):
        parse_json(data)


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b'{"b": [1, 2.5, -0.0, "x:y", "\\"q\\"", null]}', {"b": [1, 2.5, -0.0, "x:y", '"q"', None]}),  # noqa: E501
        (b'  {"say": "1:2", "n": 123456789012345}\n', {"say": "1:2", "n": 123456789012345}),
        (b"null", None),
        (b'{"a\\\\": {"b": 0.30000000000000004}}', {"a\\": {"b": 0.30000000000000004}}),
    ],
)  # fmt: skip
def test_accepted_by_the_fast_path(data: bytes, value: Any) -> None:
    """Ordinary exports (colons and escapes in strings, 17-digit floats, null) stay on it."""
    assert fast_parse(data, 128) == (value,)
