"""The declarations of what cxops reads: problems name the path and the JSON type, never a value;
a tolerant answer only logs; every route the adapters read is declared."""

from __future__ import annotations

import pytest

from cxops.errors import ProtocolError
from cxops.vendors.reads import Answer, Field, cognigy, cxone, genesys


def test_paths_types_and_requirement() -> None:
    """Missing required fields and wrong types are named with their concrete path; optional
    absent fields and the fields of a missing object are not reported (again)."""
    spec = Answer("GET /x", "id:string", "n:integer|string?", "a:object?", "a.b:string",
                  "rows[].v:number", items=None)  # fmt: skip
    found = [p.describe() for p in spec.problems({"n": True, "rows": [{"v": 1}, {"v": "s"}]})]
    assert found == [
        "GET /x: 'id' is missing (expected string)",
        "GET /x: 'n' is boolean (expected integer or string)",
        "GET /x: 'rows[1].v' is string (expected number)",
    ]
    assert spec.problems({"id": "1", "rows": []}) == []
    listing = Answer("GET /l", "id:string", items="entities")
    assert [p.path for p in listing.problems({"entities": [{"id": "a"}, {}]})] == ["entities[1].id"]
    assert [p.found for p in listing.problems({})] == ["missing"]
    with pytest.raises(ProtocolError, match="'id' is null"):
        listing.require_item({"id": None})
    assert Field.parse("a[]:string?") == Field("a[]", ("string",), False)


def test_a_tolerant_answer_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    """The Genesys configuration is passed on with a problem (the converter reports CX100)."""
    doc = {"flowSequenceItemList": "not a list"}
    assert genesys.CONFIGURATION.require(doc) is doc
    assert "flowSequenceItemList" in caplog.text


def test_every_declared_route_is_distinct() -> None:
    """One declaration per route and vendor, each with at least one field."""
    for module in (cognigy, cxone, genesys):
        routes = [a.route for a in module.ANSWERS]
        assert len(routes) == len(set(routes)) and all(a.fields for a in module.ANSWERS)
