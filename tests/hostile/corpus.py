"""A generated corpus of hostile bundle files: each case must be refused (CX100 or exit 2).

A case is a name and the files of one target folder, by relative path. Families: documents that
are not a bundle object, numbers RFC 8785 cannot represent (in every place a number can sit),
broken syntax and encodings, nesting, I-JSON violations, and type confusion in every field of
the bundle, flow, node, edge, ref and resource (issue #15). Every case is built around a valid
bundle, so the one defect is the only reason to refuse it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cxops.model.bundle import Bundle
from cxops.model.layout import bundle_files
from tests.analysis.bundles import bundle, menu_flow

Doc = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One hostile input: ``files`` maps paths under the target folder to their bytes."""

    name: str
    files: dict[str, bytes]


def good() -> Doc:
    """A valid single-file bundle (validate: no error) that each case breaks in one place."""
    return bundle([menu_flow()], resources=[{"kind": "intent", "id": "i1", "name": "Yes"}])


def _dump(doc: Any) -> bytes:
    return json.dumps(doc, allow_nan=True).encode("utf-8")


def _single(name: str, data: bytes) -> Case:
    return Case(name, {"bundle.json": data})


def _project_files() -> dict[str, bytes]:
    return bundle_files(Bundle.model_validate(good()))


def _project(name: str, which: str, data: bytes) -> Case:
    """A project folder (``flows/<vendor>/<project>/``) with one file replaced."""
    files = _project_files()
    key = next(k for k in files if k.endswith(which))
    files[key] = data
    return Case(name, files)


# -- documents that are not a bundle object ------------------------------------------------

_NOT_OBJECTS = {
    "null": b"null",
    "true": b"true",
    "false": b"false",
    "zero": b"0",
    "negative": b"-1",
    "float": b"1.5",
    "string": b'"cxops.bundle/1"',
    "empty-array": b"[]",
    "array-of-bundle": b"[" + _dump(good()) + b"]",
    "empty-object": b"{}",
}


def _not_objects() -> Iterator[Case]:
    for name, data in _NOT_OBJECTS.items():
        yield _single(f"single-{name}", data)
        yield _project(f"meta-{name}", "_bundle.json", data)
        yield _project(f"flowfile-{name}", "menu.json", data)


# -- numbers RFC 8785 cannot represent -----------------------------------------------------

_NUMBERS = {
    "digits-5000": b"9" * 5000,
    "digits-4301": b"1" * 4301,
    "neg-digits-5000": b"-" + b"9" * 5000,
    "above-2p53": b"9007199254740993",
    "at-2p53": b"9007199254740992",
    "below-minus-2p53": b"-9007199254740993",
    "exp-1e400": b"1e400",
    "exp-neg-1e400": b"-1e400",
    "exp-1e309": b"1e309",
    "exp-1.0E+999": b"1.0E+999",
    "long-mantissa": b"1" * 500 + b".5",
    "nan": b"NaN",
    "infinity": b"Infinity",
    "neg-infinity": b"-Infinity",
}

_PLACES: dict[str, Callable[[Doc, str], None]] = {
    "bundle-properties": lambda d, m: d.__setitem__("properties", {"n": m}),
    "node-properties": lambda d, m: d["flows"][0]["nodes"][1].__setitem__("properties", {"n": m}),
    "edge-properties": lambda d, m: d["flows"][0]["edges"][0].__setitem__("properties", {"n": m}),
    "resource-properties": lambda d, m: d["resources"][0].__setitem__("properties", {"n": [m]}),
}

_MARK = "@@NUMBER@@"


def _with_number(place: Callable[[Doc, str], None], number: bytes) -> bytes:
    doc = good()
    place(doc, _MARK)
    return _dump(doc).replace(json.dumps(_MARK).encode(), number)


def _numbers() -> Iterator[Case]:
    places = list(_PLACES.items())
    for i, (name, number) in enumerate(_NUMBERS.items()):
        # Every number in two places (rotating), and every place sees every kind over the set.
        for where, place in (places[i % len(places)], places[(i + 1) % len(places)]):
            yield _single(f"number-{name}-in-{where}", _with_number(place, number))
    flow = json.dumps(menu_flow()).encode()
    for name in ("digits-5000", "above-2p53", "exp-1e400", "nan"):
        number = _NUMBERS[name]
        extra = b'"kind": "bot", "properties": {"n": ' + number + b"}"
        data = flow.replace(b'"kind": "bot"', extra)
        yield _project(f"flowfile-number-{name}", "menu.json", data)
        meta = _project_files()
        key = next(k for k in meta if k.endswith("_bundle.json"))
        doc = json.loads(meta[key])
        doc["properties"] = {"n": _MARK}
        yield _project(
            f"meta-number-{name}",
            "_bundle.json",
            _dump(doc).replace(json.dumps(_MARK).encode(), number),
        )


# -- syntax, encoding, nesting, I-JSON -----------------------------------------------------


def _syntax() -> Iterator[Case]:
    text = _dump(good())
    cases = {
        "empty-file": b"",
        "whitespace-only": b"  \n\t ",
        "truncated": text[: len(text) // 2],
        "trailing-comma": text[:-1] + b",}",
        "trailing-garbage": text + b" {}",
        "comment": b"// a comment\n" + text,
        "single-quotes": text.replace(b'"', b"'"),
        "bom": b"\xef\xbb\xbf" + text,
        "invalid-utf8": text.replace(b'"Yes"', b'"Y\xffes"'),
        "overlong-utf8": text.replace(b'"Yes"', b'"\xc0\xafYes"'),
        "lone-high-surrogate": text.replace(b'"Yes"', b'"\\ud800Yes"'),
        "lone-low-surrogate": text.replace(b'"Yes"', b'"\\udc00Yes"'),
        "duplicate-key-top": text[:-1] + b', "vendor": "genesys"}',
        "duplicate-key-node": text.replace(b'"type": "question"', b'"type": "q", "type": "x"'),
        "raw-control-char": text.replace(b'"Yes"', b'"Y\x01es"'),
        "deep-array-100k": b"[" * 100_000 + b"]" * 100_000,
        "deep-object-10k": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        "deep-properties-200": text.replace(
            b'"vendor": "cognigy"', b'"vendor": "cognigy", "properties": ' + _nest(200)
        ),
        "unclosed-deep": b"[" * 50_000,
        "nul-bytes": b"\0" * 64,
        "utf16": text.decode().encode("utf-16"),
    }
    for name, data in cases.items():
        yield _single(f"syntax-{name}", data)
    for name in ("truncated", "duplicate-key-node", "deep-object-10k", "invalid-utf8"):
        yield _project(f"flowfile-syntax-{name}", "menu.json", cases[name])
    yield _project("meta-syntax-bom", "_bundle.json", cases["bom"])
    yield _project("meta-syntax-empty", "_bundle.json", b"")


def _nest(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# -- type confusion ------------------------------------------------------------------------

_CONFUSE: dict[str, tuple[tuple[Any, ...], Any]] = {
    # name: (path into the document, the wrong value)
    "format-wrong": (("format",), "cxops.bundle/2"),
    "format-number": (("format",), 1),
    "vendor-number": (("vendor",), 7),
    "vendor-null": (("vendor",), None),
    "vendor-list": (("vendor",), ["cognigy"]),
    "project-object": (("project",), {"id": "p1"}),
    "tenant-bool": (("tenant",), True),
    "flows-null": (("flows",), None),
    "flows-string": (("flows",), "menu"),
    "flows-object": (("flows",), {"menu": {}}),
    "flows-number": (("flows",), 3),
    "flow-string": (("flows", 0), "menu"),
    "flow-null": (("flows", 0), None),
    "flow-list": (("flows", 0), []),
    "flow-id-number": (("flows", 0, "id"), 12),
    "flow-id-null": (("flows", 0, "id"), None),
    "flow-name-list": (("flows", 0, "name"), ["a"]),
    "flow-nodes-null": (("flows", 0, "nodes"), None),
    "flow-nodes-string": (("flows", 0, "nodes"), "start"),
    "flow-nodes-object": (("flows", 0, "nodes"), {"start": {}}),
    "flow-edges-string": (("flows", 0, "edges"), "x"),
    "flow-entry-string": (("flows", 0, "entry"), "start"),
    "flow-entry-numbers": (("flows", 0, "entry"), [1, 2]),
    "flow-properties-list": (("flows", 0, "properties"), [1]),
    "flow-refs-string": (("flows", 0, "refs"), "intent:i1"),
    "node-string": (("flows", 0, "nodes", 0), "start"),
    "node-null": (("flows", 0, "nodes", 0), None),
    "node-id-number": (("flows", 0, "nodes", 0, "id"), 0),
    "node-id-object": (("flows", 0, "nodes", 0, "id"), {"id": "start"}),
    "node-type-null": (("flows", 0, "nodes", 0, "type"), None),
    "node-terminal-string": (("flows", 0, "nodes", 4, "terminal"), "yes"),
    "node-properties-string": (("flows", 0, "nodes", 0, "properties"), "x"),
    "node-refs-object": (("flows", 0, "nodes", 0, "refs"), {"kind": "intent"}),
    "node-ref-missing-id": (("flows", 0, "nodes", 0, "refs"), [{"kind": "intent"}]),
    "node-ref-id-number": (("flows", 0, "nodes", 0, "refs"), [{"kind": "intent", "id": 5}]),
    "edge-string": (("flows", 0, "edges", 0), "start->ask"),
    "edge-source-number": (("flows", 0, "edges", 0, "source"), 1),
    "edge-target-null": (("flows", 0, "edges", 0, "target"), None),
    "edge-kind-unknown": (("flows", 0, "edges", 0, "kind"), "teleport"),
    "edge-condition-list": (("flows", 0, "edges", 0, "condition"), ["a"]),
    "resources-string": (("resources",), "intents"),
    "resources-object": (("resources",), {"i1": {}}),
    "resource-string": (("resources", 0), "i1"),
    "resource-id-number": (("resources", 0, "id"), 1),
    "resource-name-null": (("resources", 0, "name"), None),
    "resource-refs-string": (("resources", 0, "refs"), "x"),
    "resource-ref-id-list": (("resources", 0, "refs"), [{"kind": "flow", "id": ["menu"]}]),
    "resource-deleted-string": (("resources", 0, "deleted"), "no"),
    "version-string": (("version",), "1.0.0"),
    "version-tag-number": (("version",), {"tag": 1}),
    "properties-list": (("properties",), []),
    "unknown-top-field": (("flowz",), []),
    "unknown-node-field": (("flows", 0, "nodes", 0, "onclick"), "x"),
}


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


def _confusion() -> Iterator[Case]:
    for name, (path, value) in _CONFUSE.items():
        doc = copy.deepcopy(good())
        _set(doc, path, value)
        yield _single(f"type-{name}", _dump(doc))


def cases() -> list[Case]:
    """Every case, in a stable order, names unique."""
    out = [*_not_objects(), *_numbers(), *_syntax(), *_confusion()]
    names = [c.name for c in out]
    assert len(names) == len(set(names)), "duplicate case names"
    return out
