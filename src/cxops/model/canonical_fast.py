"""A compiled fast path to RFC 8785 canonical JSON, floats included.

The fast path is the C encoder ``cxops.model._jcs`` (``_jcs.c``, built by ``hatch_build.py`` at
install time): one pass from the Python objects to RFC 8785 bytes, about twenty times the
reference's speed. Where it was not built (no C compiler: the install warned), the numpy path
below runs instead; :data:`COMPILED` tells which one is active. Both answer None for what they
cannot write identically, and the caller then runs the reference ``rfc8785``.

The numpy path: orjson (C, keys sorted) writes the same bytes as RFC 8785 for strings,
integers, ``true``, ``false``, ``null`` and the structure, as long as no key holds a character
outside the Basic Multilingual Plane (RFC 8785 §3.2.3 sorts keys by UTF-16 code units, orjson by
code point; the two orders agree inside the BMP). Floats differ only in how a number is
*written*: both print the shortest digits that round-trip (orjson with Ryu, RFC 8785 with
ECMAScript's Number::toString, §3.2.2.3), but

- a whole float is ``2.0`` in orjson and ``2`` in ECMAScript (``-0.0`` is ``0``);
- orjson writes an exponent below 1e-5 and from 1e16, ECMAScript below 1e-6 and from 1e21, in
  the same ``1.5e-7`` / ``1e+21`` form; so only ``e-6`` and ``e+16`` … ``e+20`` tokens differ.

Every other token is already identical. So orjson's output is kept and only those tokens are
rewritten. Outside strings, orjson's compact output has digits only in number tokens, so a digit
followed by ``.0`` and a delimiter is a whole float; what is inside a string is told by counting
the unescaped quotes before it. Both are found for the whole document at once with numpy (byte
classes by table lookup, quote counts by ``searchsorted``), so the cost per rewritten number is a
slice, not a step of Python. NaN and infinities, which orjson writes as ``null``, are found in a
``marshal`` image of the document (a float there is ``g`` and eight IEEE bytes). Anything the
path cannot prove identical answers None, and the caller runs the reference ``rfc8785``;
property tests prove byte identity where it answers.
"""

from __future__ import annotations

import functools
import marshal
import re
from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

__all__ = [
    "COMPILED",
    "compiled_canonical_bytes",
    "fast_canonical_bytes",
    "numpy_canonical_bytes",
]

# Types orjson would write but RFC 8785 has no form for (datetimes, dataclasses, subclasses) pass
# through to a TypeError; integers beyond 2**53 - 1 raise (the reference refuses them too).
_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_STRICT_INTEGER
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
_ESCAPED_QUOTE = b'\\"'
_OPENERS = b":,["
# In marshal's image a float is 'g' (0xE7 when flagged as referenced) and eight little-endian
# IEEE bytes. Infinities and the NaNs that parsing "NaN" and arithmetic make (quiet, zero
# payload, either sign) end in F0 7F / F0 FF / F8 7F / F8 FF after six zero bytes. Six zero bytes
# then F0 or F8 occur in no other marshal item a JSON value makes (neither is a type code nor
# valid UTF-8), so a match is a non-finite float; a NaN with another payload (only
# struct-unpacking arbitrary bits makes one) is not seen.
_NON_FINITE = re.compile(rb"\x00\x00\x00\x00\x00\x00(?<=[g\xe7]\x00{6})[\xf0\xf8][\x7f\xff]")
_NON_BMP_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")

# Byte classes as lookup tables, so a whole array of bytes is classified in one step.
_IS_DIGIT = np.zeros(256, dtype=np.bool_)
_IS_DIGIT[ord("0") : ord("9") + 1] = True
_IS_DELIMITER = np.zeros(256, dtype=np.bool_)
_IS_DELIMITER[list(b",]}")] = True
_IS_OPENER = np.zeros(256, dtype=np.bool_)
_IS_OPENER[list(_OPENERS)] = True
_MAX_NUMBER = 26  # bytes in the longest number orjson writes ("-2.2250738585072014e-308")
_DOT, _ZERO, _QUOTE, _BACKSLASH = ord("."), ord("0"), ord('"'), ord("\\")
_MINUS, _PLUS, _E = ord("-"), ord("+"), ord("e")


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


def _whole_floats(arr: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    """Positions of the ``.`` of every ``<digit>.0<delimiter>``: a whole float, or text."""
    dots = np.flatnonzero(arr[1:-2] == _DOT) + 1
    keep = (arr[dots + 1] == _ZERO) & _IS_DELIMITER[arr[dots + 2]] & _IS_DIGIT[arr[dots - 1]]
    whole: npt.NDArray[np.intp] = dots[keep]
    return whole


def _decimal_exponents(arr: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    """Positions of the ``e`` of every ``<digit>e-6`` and ``<digit>e+16`` ... ``e+20`` followed
    by a delimiter: the exponent forms ECMAScript writes in decimal (or text)."""
    minus = np.flatnonzero(arr[2:-2] == _MINUS) + 2
    keep = (
        (arr[minus - 1] == _E)
        & _IS_DIGIT[arr[minus - 2]]
        & (arr[minus + 1] == ord("6"))
        & _IS_DELIMITER[arr[minus + 2]]
    )
    plus = np.flatnonzero(arr[2:-3] == _PLUS) + 2
    tens, units = arr[plus + 1], arr[plus + 2]
    sixteen_to_twenty = ((tens == ord("1")) & (units >= ord("6")) & _IS_DIGIT[units]) | (
        (tens == ord("2")) & (units == ord("0"))
    )
    keep_plus = (
        (arr[plus - 1] == _E)
        & _IS_DIGIT[arr[plus - 2]]
        & sixteen_to_twenty
        & _IS_DELIMITER[arr[plus + 3]]
    )
    hits: npt.NDArray[np.intp] = np.concatenate((minus[keep] - 1, plus[keep_plus] - 1))
    return hits


def _outside_strings(
    arr: npt.NDArray[np.uint8], hits: npt.NDArray[np.intp], escaped: bool
) -> npt.NDArray[np.bool_]:
    """For each hit, whether it lies outside every JSON string.

    A position is inside a string when an odd number of unescaped quotes precede it. The caller
    has ruled out a quote after an escaped backslash, so every backslash-quote is an escaped one.
    """
    quotes = np.flatnonzero(arr == _QUOTE)  # never 0: the document opens with { or [
    if escaped:
        quotes = quotes[arr[quotes - 1] != _BACKSLASH]
    outside: npt.NDArray[np.bool_] = (np.searchsorted(quotes, hits) & 1) == 0
    return outside


@functools.lru_cache(maxsize=4096)  # documents repeat their numbers (thresholds, scales)
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


def _token_spans(
    arr: npt.NDArray[np.uint8], hits: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Start and end of the number token around each hit (a number is under 26 bytes long)."""
    back = np.arange(1, _MAX_NUMBER + 1)
    before = _IS_OPENER[arr[np.maximum(hits[:, None] - back, 0)]]
    starts: npt.NDArray[np.intp] = hits - np.argmax(before, axis=1)
    after = _IS_DELIMITER[arr[np.minimum(hits[:, None] + back, len(arr) - 1)]]
    ends: npt.NDArray[np.intp] = hits + 1 + np.argmax(after, axis=1)
    return starts, ends


def _rewrite_numbers(out: bytes) -> bytes:
    """Rewrite, outside strings, whole floats (``2.0`` to ``2``, ``-0.0`` to ``0``) and the
    exponent tokens whose ECMAScript form is decimal; every other byte is kept."""
    arr = np.frombuffer(out, dtype=np.uint8)
    whole = _whole_floats(arr)
    exponents = _decimal_exponents(arr)
    if not len(whole) and not len(exponents):
        return out
    outside = _outside_strings(arr, np.concatenate((whole, exponents)), _ESCAPED_QUOTE in out)
    whole, exponents = whole[outside[: len(whole)]], exponents[outside[len(whole) :]]
    # Each edit is a span and its replacement: a whole float loses its ".0"; a "-0.0" becomes
    # "0"; an exponent token becomes its decimal form (both rare in vendor documents).
    special: list[bytes] = []
    if len(exponents):
        starts, ends = _token_spans(arr, exponents)
        special = [
            _es_decimal(out[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
    else:
        starts = ends = np.zeros(0, dtype=np.intp)
    if b"-0.0" in out:
        zero = (arr[whole - 1] == _ZERO) & (arr[whole - 2] == _MINUS)
        zero[zero] = _IS_OPENER[arr[whole[zero] - 3]]
        starts, ends = (
            np.concatenate((starts, whole[zero] - 2)),
            np.concatenate((ends, whole[zero] + 2)),
        )
        special += [b"0"] * int(zero.sum())
        whole = whole[~zero]
    if special:
        starts, ends = np.concatenate((whole, starts)), np.concatenate((whole + 2, ends))
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
    else:
        starts, ends = whole, whole + 2
    # The kept pieces, each followed by its replacement.
    kept = [
        out[a:b] for a, b in zip([0, *ends.tolist()], [*starts.tolist(), len(out)], strict=True)
    ]
    if not special:
        return b"".join(kept)
    texts = [b""] * len(starts)
    moved = order >= len(whole)
    for index, which in zip(
        np.flatnonzero(moved).tolist(), (order[moved] - len(whole)).tolist(), strict=True
    ):
        texts[index] = special[which]
    return b"".join(chain.from_iterable(zip(kept, [*texts, b""], strict=True)))


def numpy_canonical_bytes(doc: Any) -> bytes | None:
    """RFC 8785 bytes of ``doc`` by orjson and the numpy rewrite, or None where only the
    reference can tell (bare scalars included).

    >>> numpy_canonical_bytes({"b": 2.0, "a": [1e-6, 0.5]})
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
    return _rewrite_numbers(out)


def _load_compiled() -> Callable[[Any], bytes | None] | None:
    try:
        from cxops.model._jcs import canonical
    except ImportError:  # built without a C compiler (the install warned)
        return None
    return canonical


#: The C encoder's ``canonical`` (``_jcs.c``), or None where it was not built.
compiled_canonical_bytes = _load_compiled()
#: Whether the C encoder is active (a test checks that an install from source has it).
COMPILED = compiled_canonical_bytes is not None


def fast_canonical_bytes(doc: Any) -> bytes | None:
    """RFC 8785 bytes of ``doc`` by the active fast path, or None where only the reference can
    tell (see the module docstring for what each path leaves to it).

    >>> fast_canonical_bytes({"b": 2.0, "a": [1e-6, 0.5]})
    b'{"a":[0.000001,0.5],"b":2}'
    """
    if compiled_canonical_bytes is not None:
        return compiled_canonical_bytes(doc)
    return numpy_canonical_bytes(doc)
