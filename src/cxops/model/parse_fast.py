"""The compiled fast path of the strict parser: orjson, with the I-JSON rules it does not check.

orjson's parser (C) is strict where :mod:`cxops.model.parse` must be: it refuses invalid UTF-8,
a byte-order mark, lone surrogates (escaped or raw), NaN and Infinity, numbers that overflow to
infinity, control characters in strings, trailing commas and content after the document. It does
not refuse three things the strict parser does, so they are checked here in C-speed passes:

- **duplicate keys** (orjson keeps the last): the pairs written in the input (colons outside
  strings) must equal the pairs of the parsed document (its keys, counted in orjson's compact
  re-serialisation, where every quote inside a string is escaped);
- **nesting depth** (orjson allows 1024 levels): the brackets outside strings are counted;
- **numbers RFC 8785 cannot represent**: integers beyond 2**53 - 1 make the re-serialisation
  raise (``OPT_STRICT_INTEGER``); integers beyond 64 bits, which orjson turns into floats, and
  over-long number tokens both hold a run of 20 digits, and any such run sends the input to the
  strict parser.

Whatever this path cannot vouch for answers None, and the caller runs the strict parser, which
also names the offset of every refusal. A property test proves that the two accept the same
inputs and give the same values.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import orjson

__all__ = ["fast_parse", "structure"]

_KEEP = b'[]{}":'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_QUOTE, _COLON = 0x22, 0x3A
_OPENS, _CLOSES = (0x5B, 0x7B), (0x5D, 0x7D)
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x78 for b in range(256))
_LONG_RUN = b"0" * 20
_MAX_SAFE_INTEGER = 2**53 - 1


def structure(data: bytes) -> tuple[int, int]:
    """``(deepest nesting, colons outside strings)`` of JSON text, in a few C-speed passes.

    Escapes are removed first (so every remaining quote delimits a string), then everything but
    brackets, quotes and colons; what stands at odd quote parity is inside a string. Exact up to
    the first syntax error, which is where a parser stops anyway.
    """
    compact = _ESCAPE.sub(b"", data) if b"\\" in data else data
    compact = compact.translate(None, _DROP)
    if not compact:
        return 0, 0
    arr = np.frombuffer(compact, dtype=np.uint8)
    outside = (np.cumsum(arr == _QUOTE, dtype=np.int64) & 1) == 0
    opens = ((arr == _OPENS[0]) | (arr == _OPENS[1])) & outside
    closes = ((arr == _CLOSES[0]) | (arr == _CLOSES[1])) & outside
    depth = np.cumsum(opens.astype(np.int32) - closes.astype(np.int32), dtype=np.int64)
    pairs = int(np.count_nonzero((arr == _COLON) & outside))
    return int(depth.max()), pairs


def _keys(compact_json: bytes) -> int:
    """Keys in orjson's compact output: each ends with an unescaped quote right before ':'."""
    if b"\\\\" in compact_json:  # an escaped backslash before a quote: count the careful way
        return structure(compact_json)[1]
    return compact_json.count(b'":') - compact_json.count(b'\\":')


def fast_parse(data: bytes, depth_limit: int) -> tuple[Any] | None:
    """``(value,)`` of JSON text the strict parser would accept, or None to let it decide.

    The value is wrapped so that the document ``null`` is told apart from "no answer".

    >>> fast_parse(b'{"a": [1, 2.5]}', 128)
    ({'a': [1, 2.5]},)
    >>> fast_parse(b'{"a": 1, "a": 2}', 128) is None
    True
    """
    if _LONG_RUN in data.translate(_DIGITS_AS_ZERO):
        return None
    depth, pairs = structure(data)
    if depth > depth_limit:
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(value) is int and abs(value) > _MAX_SAFE_INTEGER:
        return None
    if isinstance(value, dict | list):
        try:
            out = orjson.dumps(value, option=orjson.OPT_STRICT_INTEGER)
        except orjson.JSONEncodeError:
            return None  # an integer beyond 2**53 - 1
        if _keys(out) != pairs:
            return None  # a duplicate key collapsed two pairs into one
    return (value,)
