"""A compiled fast path to RFC 8785 canonical JSON, floats included.

orjson (C, keys sorted) writes the same bytes as RFC 8785 for strings, integers, ``true``,
``false``, ``null`` and the structure, as long as no key holds a character outside the Basic
Multilingual Plane (RFC 8785 §3.2.3 sorts keys by UTF-16 code units, orjson by code point; the
two orders agree inside the BMP). Floats differ only in how a number is *written*: both print the
shortest digits that round-trip (orjson with Ryu, RFC 8785 with ECMAScript's Number::toString,
§3.2.2.3), but

- a whole float is ``2.0`` in orjson and ``2`` in ECMAScript (``-0.0`` is ``0``);
- orjson writes an exponent below 1e-5 and from 1e16, ECMAScript below 1e-6 and from 1e21, in
  the same ``1.5e-7`` / ``1e+21`` form; so only ``e-6`` and ``e+16`` … ``e+20`` tokens differ.

Every other token is already identical. So orjson's output is kept and only those tokens are
rewritten. Outside strings, orjson's compact output has digits only in number tokens, so a digit
followed by ``.0`` and a delimiter is a whole float; what is inside a string is told by counting
the unescaped quotes before it. The search patterns start with a literal (``.0``, ``e``), which
``re`` finds at memchr speed. NaN and infinities, which orjson writes as ``null``, are found in a
``marshal`` image of the document (a float there is ``g`` and eight IEEE bytes). Anything the
path cannot prove identical answers None, and the caller runs the reference ``rfc8785``;
property tests prove byte identity where it answers.
"""

from __future__ import annotations

import marshal
import re
from typing import Any

import orjson

__all__ = ["fast_canonical_bytes"]

# Types orjson would write but RFC 8785 has no form for (datetimes, dataclasses, subclasses) pass
# through to a TypeError; integers beyond 2**53 - 1 raise (the reference refuses them too).
_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_STRICT_INTEGER
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
_DELIMITERS = b",]}"
_OPENERS = b":,["
_ESCAPED_QUOTE = b'\\"'
# A whole float: a digit, '.0', a delimiter (the literal '.0' leads, for a fast scan).
_WHOLE = re.compile(rb"\.0(?<=[0-9]\.0)(?=[,\]}])")
# Exponent tokens whose ECMAScript form is decimal: e-6 (1e-6 <= x < 1e-5) and e+16 ... e+20.
# Two patterns, each led by a literal that English text seldom holds.
_DECIMAL_IN_ES = (
    re.compile(rb"e-6(?<=[0-9]e-6)(?=[,\]}])"),
    re.compile(rb"e\+(?<=[0-9]e\+)(?:1[6-9]|20)(?=[,\]}])"),
)
# In marshal's image a float is 'g' (0xE7 when flagged as referenced) and eight little-endian
# IEEE bytes. Infinities and the NaNs that parsing "NaN" and arithmetic make (quiet, zero
# payload, either sign) end in F0 7F / F0 FF / F8 7F / F8 FF after six zero bytes. Six zero bytes
# then F0 or F8 occur in no other marshal item a JSON value makes (neither is a type code nor
# valid UTF-8), so a match is a non-finite float; a NaN with another payload (only
# struct-unpacking arbitrary bits makes one) is not seen.
_NON_FINITE = re.compile(rb"\x00\x00\x00\x00\x00\x00(?<=[g\xe7]\x00{6})[\xf0\xf8][\x7f\xff]")
_NON_BMP_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")


def _string_end(out: bytes, pos: int) -> int:
    """Index of the quote closing the string that holds ``pos``."""
    while True:
        quote = out.find(b'"', pos)
        backslashes = 0
        while out[quote - 1 - backslashes] == 0x5C:  # '\\'
            backslashes += 1
        if backslashes % 2 == 0:
            return quote
        pos = quote + 1


def _non_bmp_key(out: bytes) -> bool:
    """Whether a key holds a character outside the BMP (only keys are ordered by code units)."""
    for lead in _NON_BMP_LEADS:
        pos = out.find(lead)
        while pos != -1:
            end = _string_end(out, pos)
            if out[end + 1 : end + 2] == b":":
                return True
            pos = out.find(lead, end)
    return False


def _outside_strings(out: bytes, hits: list[int]) -> list[int]:
    """The hit positions (ascending) that are not inside a JSON string.

    A position is inside a string when an odd number of unescaped quotes precede it. The caller
    has ruled out a quote after an escaped backslash, so every backslash-quote is an escaped one.
    """
    escaped = _ESCAPED_QUOTE in out
    kept: list[int] = []
    count = last = 0
    for pos in hits:
        count += out.count(b'"', last, pos)
        if escaped:
            count -= out.count(_ESCAPED_QUOTE, last, pos)
        last = pos
        if not count & 1:
            kept.append(pos)
    return kept


def _drop_whole_zeros(out: bytes) -> bytes:
    """``2.0`` becomes ``2`` and ``-0.0`` becomes ``0``, for every whole float outside strings."""
    kept = _outside_strings(out, [m.start() for m in _WHOLE.finditer(out)])
    if not kept:
        return out
    starts = [0] + [pos + 2 for pos in kept]
    pieces = [out[start:end] for start, end in zip(starts, kept, strict=False)]
    pieces.append(out[starts[-1] :])
    if b"-0.0" in out:  # -0.0 left "-0": ECMAScript writes "0"
        for i, pos in enumerate(kept):
            if out[pos - 2 : pos] == b"-0" and out[pos - 3] in _OPENERS:
                pieces[i] = pieces[i][:-2] + b"0"
    return b"".join(pieces)


def _es_decimal(token: bytes) -> bytes:
    """An orjson exponent token that ECMAScript writes in decimal (e-6, e+16 ... e+20).

    ``9.5e-6`` becomes ``0.0000095``; ``1.25e+17`` becomes ``125000000000000000``.
    """
    mantissa, exponent = token.split(b"e")
    sign = b"-" if mantissa.startswith(b"-") else b""
    digits = mantissa.lstrip(b"-").replace(b".", b"")
    power = int(exponent)
    if power < 0:
        return sign + b"0." + b"0" * (-power - 1) + digits
    return sign + digits + b"0" * (power + 1 - len(digits))


def _exponents_to_decimal(out: bytes) -> bytes:
    """Rewrite the exponent tokens, outside strings, whose ECMAScript form is decimal."""
    hits = sorted(m.start() for pattern in _DECIMAL_IN_ES for m in pattern.finditer(out))
    if not hits:
        return out
    pieces: list[bytes] = []
    last = 0
    for pos in _outside_strings(out, hits):
        start = pos
        while out[start - 1] not in _OPENERS:
            start -= 1
        end = pos + 2
        while out[end] not in _DELIMITERS:
            end += 1
        pieces += [out[last:start], _es_decimal(out[start:end])]
        last = end
    pieces.append(out[last:])
    return b"".join(pieces)


def fast_canonical_bytes(doc: Any) -> bytes | None:
    """RFC 8785 bytes of ``doc`` by the compiled path, or None where only the reference can tell.

    >>> fast_canonical_bytes({"b": 2.0, "a": [1e-6, 0.5]})
    b'{"a":[0.000001,0.5],"b":2}'
    """
    if not isinstance(doc, dict | list):
        return None  # a bare scalar: cheap on the reference path, and no delimiters around it
    try:
        out = orjson.dumps(doc, option=_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return None  # integers beyond 2**53 - 1, lone surrogates, keys that are not strings
    try:
        image = marshal.dumps(doc, 4)
    except ValueError:
        return None  # an object marshal cannot write is no JSON value either
    if _NON_FINITE.search(image) or _non_bmp_key(out):
        return None
    if b'\\\\"' in out:
        return None  # a quote after an escaped backslash: parity by counting would need runs
    return _exponents_to_decimal(_drop_whole_zeros(out))
