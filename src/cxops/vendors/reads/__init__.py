"""The fields cxops reads from each vendor answer, declared once: the adapters check every answer
against these declarations before reading it, and ``cxops doctor`` checks a live tenant's answers
against the same ones, so the two cannot drift apart.

One :class:`Answer` per route cxops reads. A field is ``path:type`` with ``?`` when cxops can do
without it (it falls back or skips), ``|`` between accepted JSON types, ``[]`` for every element of
an array and ``.`` into an object::

    FLOWS = Answer("GET /api/v2/flows", "id:string", "name:string?", items="entities")

For a listing (``items=``), the fields are those of one element of that array; the paging helpers
(``cxops.transport.paging``) read the envelope, the adapter checks each element with
:meth:`Answer.require_item`. A problem names the route and the field path, never a value: what a
person attaches to a bug report must not carry the tenant's content.

>>> spec = Answer("GET /x", "id:string", "tags[]:string?")
>>> [p.describe() for p in spec.problems({"tags": ["a", 1]})]
["GET /x: 'id' is missing (expected string)", "GET /x: 'tags[1]' is integer (expected string)"]
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cxops.errors import ProtocolError

__all__ = ["Answer", "Field", "FieldProblem", "json_type"]

log = logging.getLogger(__name__)

_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value (``integer`` for whole numbers, never ``bool``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


@dataclass(frozen=True)
class Field:
    """One field cxops reads: its path, the JSON types it accepts, whether it may be absent."""

    path: str
    types: tuple[str, ...]
    required: bool = True

    @classmethod
    def parse(cls, spec: str) -> Field:
        """``"a.b[]:string|integer?"`` → ``Field("a.b[]", ("string", "integer"), False)``."""
        path, _, kind = spec.rpartition(":")
        optional = kind.endswith("?")
        types = tuple(kind.rstrip("?").split("|"))
        if not path or any(t not in _TYPES for t in types):
            raise ValueError(f"bad field spec {spec!r}")
        return cls(path, types, not optional)

    def accepts(self, value: Any) -> bool:
        found = json_type(value)
        return found in self.types or (found == "integer" and "number" in self.types)


@dataclass(frozen=True)
class FieldProblem:
    """A field of an answer that is missing or of another JSON type than cxops reads."""

    route: str
    path: str
    expected: tuple[str, ...]
    found: str  # "missing" or the JSON type found

    def describe(self) -> str:
        what = "is missing" if self.found == "missing" else f"is {self.found}"
        return f"{self.route}: '{self.path}' {what} (expected {' or '.join(self.expected)})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "field": self.path,
            "expected": list(self.expected),
            "found": self.found,
        }


def _split(path: str) -> list[str]:
    """``"a.b[].c"`` → ``["a", "b", "[]", "c"]``."""
    out: list[str] = []
    for part in path.split("."):
        name, brackets = part, 0
        while name.endswith("[]"):
            name, brackets = name[:-2], brackets + 1
        if name:
            out.append(name)
        out.extend(["[]"] * brackets)
    return out


def _walk(value: Any, parts: list[str], where: str) -> Iterator[tuple[str, Any]]:
    """Every ``(concrete path, value)`` the field path reaches; ``_MISSING`` where it stops."""
    if not parts:
        yield where, value
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _walk(item, rest, f"{where}[{i}]")
        return
    if not isinstance(value, dict):
        return  # the parent's own type is checked by its own field, if declared
    child = f"{where}.{head}" if where else head
    if head not in value:
        yield child + (".".join(["", *rest]).replace(".[]", "[]") if rest else ""), _MISSING
        return
    yield from _walk(value[head], rest, child)


_MISSING = object()


@dataclass(frozen=True, init=False)
class Answer:
    """What cxops reads from the answer of one route (see the module doc)."""

    route: str
    fields: tuple[Field, ...]
    items: str | None
    #: The adapter goes on with a problem (logged) because the converter reports it as a finding
    #: (or skips the element): an export still works, but loses what the field held.
    tolerant: bool

    def __init__(
        self, route: str, *fields: str, items: str | None = None, tolerant: bool = False
    ) -> None:
        object.__setattr__(self, "route", route)
        object.__setattr__(self, "fields", tuple(Field.parse(f) for f in fields))
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "tolerant", tolerant)

    def item_problems(self, item: Any, where: str = "") -> list[FieldProblem]:
        """Problems of one object (a listing's element, or the whole answer) against the fields."""
        found: list[FieldProblem] = []
        if not isinstance(item, dict):
            return [FieldProblem(self.route, where or "$", ("object",), json_type(item))]
        gone: list[str] = []  # a missing object's own fields are not reported again
        for field in self.fields:
            for path, value in _walk(item, _split(field.path), where):
                if any(path.startswith((g + ".", g + "[")) for g in gone):
                    continue
                if value is _MISSING:
                    gone.append(path)
                    if field.required:
                        found.append(FieldProblem(self.route, path, field.types, "missing"))
                elif not field.accepts(value):
                    found.append(FieldProblem(self.route, path, field.types, json_type(value)))
        return found

    def problems(self, body: Any) -> list[FieldProblem]:
        """Every problem of a whole answer (a listing: its array and each element)."""
        if self.items is None:
            return self.item_problems(body)
        if not isinstance(body, dict):
            return [FieldProblem(self.route, "$", ("object",), json_type(body))]
        rows = body.get(self.items, _MISSING)
        if rows is _MISSING or not isinstance(rows, list):
            found = "missing" if rows is _MISSING else json_type(rows)
            return [FieldProblem(self.route, self.items, ("array",), found)]
        out: list[FieldProblem] = []
        for i, row in enumerate(rows):
            out += self.item_problems(row, f"{self.items}[{i}]")
        return out

    def _raise(self, found: list[FieldProblem]) -> None:
        if found and self.tolerant:
            for problem in found:
                log.warning("answer of %s", problem.describe())
        elif found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            raise ProtocolError(
                f"answer of {found[0].describe()}{more}",
                hint="the vendor's answer lacks a field cxops reads: run `cxops doctor "
                "--report FILE` and attach the file to a bug report",
            )

    def require(self, body: Any) -> Any:
        """``body`` itself when it has every field cxops reads, else :class:`ProtocolError`
        (a tolerant answer logs its problems and is returned)."""
        self._raise(self.problems(body))
        return body

    def require_item(self, item: Any) -> Any:
        """One element of a listing, checked like :meth:`require` (its path without index)."""
        self._raise(self.item_problems(item))
        return item
