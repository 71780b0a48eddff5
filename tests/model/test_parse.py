"""The bounded parser refuses hostile input with a typed error and the byte offset."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from cxops.model.errors import ParseError
from cxops.model.parse import max_depth, max_depth_offset, parse_json
from tests.model.strategies import SLOW_OK, json_values


@given(json_values())
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW_OK)
def test_accepts_every_i_json_document(doc: Any) -> None:
    """Anything json.dumps writes (without NaN) parses back to the same value."""
    for ascii_only in (True, False):
        text = json.dumps(doc, ensure_ascii=ascii_only)
        assert parse_json(text.encode("utf-8")) == doc


@pytest.mark.parametrize(
    ("data", "reason", "offset"),
    [
        (b'{"a": 1, "a": 2}', "i_json", 9),
        (b'{"x": {"y": 1, "z": {"k": 1, "k": 2}}}', "i_json", 29),
        (b"[1, NaN]", "i_json", 4),
        (b'{"v": Infinity}', "i_json", 6),
        (b"[-Infinity]", "i_json", 1),
        (b'["ok", "\xff"]', "utf8", 8),
        (b'"\xed\xa0\x80"', "utf8", 1),
        (b'["\\ud800"]', "surrogate", 2),
        (b'["\\udc00\\ud800"]', "surrogate", 2),
        (b'["a", "\\ud83d"]', "surrogate", 7),
        (b"\xef\xbb\xbf{}", "bom", 0),
        (b'{"a": [1, 2,]}', "syntax", 12),
        (b"", "syntax", 0),
    ],
)
def test_refusals_name_reason_and_offset(data: bytes, reason: str, offset: int) -> None:
    """Each I-JSON violation is a ParseError with its reason and byte offset."""
    with pytest.raises(ParseError) as caught:
        parse_json(data)
    assert caught.value.reason == reason
    assert caught.value.offset == offset
    assert f"byte {offset}" in str(caught.value)


def test_escaped_lookalikes_are_accepted() -> None:
    """A valid surrogate pair, an escaped backslash before 'ud800' and brackets in strings."""
    assert parse_json(b'["\\ud83d\\ude00"]') == ["\U0001f600"]
    assert parse_json(b'["\\\\ud800"]') == ["\\ud800"]
    assert parse_json(b'{"k": "[[[[{{{{\\"]]"}') == {"k": '[[[[{{{{"]]'}


def test_depth_100000_is_refused_without_recursion() -> None:
    """Nesting 100,000 deep is refused at the first bracket past the cap."""
    data = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ParseError) as caught:
        parse_json(data, max_depth=64)
    assert caught.value.reason == "too_deep"
    assert caught.value.offset == 64
    deep_objects = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    with pytest.raises(ParseError) as caught:
        parse_json(deep_objects)
    assert caught.value.reason == "too_deep"


def test_depth_scan_ignores_brackets_inside_strings() -> None:
    """Brackets inside strings (even after escaped quotes) do not count as nesting."""
    data = json.dumps({"a": "[" * 500 + '\\"' + "{" * 500}).encode()
    assert max_depth_offset(data, 3) is None
    assert max_depth_offset(b"[[[[1]]]]", 3) == 3


def test_size_cap_is_checked_first() -> None:
    """Input over the cap is refused before any parsing, with the cap as the offset."""
    with pytest.raises(ParseError) as caught:
        parse_json(b"[" + b"1," * 600 + b"1]", max_bytes=1000)
    assert (caught.value.reason, caught.value.offset) == ("too_large", 1000)


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            stack += [(v, level) for v in (item.values() if isinstance(item, dict) else item)]
    return deepest


@given(json_values())
@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_OK)
def test_quick_depth_scan_is_exact(doc: Any) -> None:
    """The vectorised depth scan agrees with the nesting depth of the parsed value."""
    assert max_depth(json.dumps(doc, ensure_ascii=False).encode("utf-8")) == _depth(doc)
