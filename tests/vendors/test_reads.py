"""The declarations of what cxops reads: problems name the path and the JSON type, never a value;
a tolerant answer only logs; every route the adapters read is declared."""

from __future__ import annotations

from pathlib import Path

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


#: Keys the adapters read that are not a vendor answer's field: cxops' own native documents
#: (what they hand the converter), and the answers of the archive's POSTs (outside the
#: declarations: ``cxops doctor`` sends GETs only).
OWN = {
    "genesys": {"flow", "flows", "downloadUrl"},
    "cognigy": {"flows", "lexicons", "connections", "project", "downloadLink"},
    "cxone": {"flows", "scripts"},
}


@pytest.mark.parametrize("vendor", sorted(OWN))
def test_every_key_an_adapter_reads_is_declared(vendor: str) -> None:
    """A key read with ``.get("k")`` or ``x["k"]`` in ``vendors/<vendor>.py`` is a segment of a
    declared field (or its listing's array), or one of :data:`OWN`: a new read that is not
    declared fails here, so ``cxops doctor`` cannot miss it."""
    from tests.contract.cognigy.test_fields import _keys_read

    module = {"cognigy": cognigy, "cxone": cxone, "genesys": genesys}[vendor]
    declared = {a.items for a in module.ANSWERS if a.items} | {
        part
        for a in module.ANSWERS
        for f in a.fields
        for part in f.path.replace("[]", "").split(".")
    }
    src = Path(__file__).resolve().parents[2] / "src" / "cxops" / "vendors" / f"{vendor}.py"
    undeclared = _keys_read(src) - declared - OWN[vendor]
    assert not undeclared, f"vendors/{vendor}.py reads undeclared keys: {sorted(undeclared)}"
