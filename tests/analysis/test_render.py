"""Renderers: SARIF validates against the SARIF 2.1.0 schema; JUnit, JSON and text are sound."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from cxops.analysis.checks import CheckOptions, run_checks
from cxops.analysis.findings import Finding, Location
from cxops.analysis.index import BundleIndex
from cxops.analysis.render import render
from tests.analysis.bundles import flawed_bundle

SCHEMA = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    index = BundleIndex()
    index.add_bundle(flawed_bundle(), file="flows/bundle.json")
    found = run_checks(index, CheckOptions(max_nodes=5))
    # One finding with a resolved position, as the CLI adds for files cxops wrote.
    return [found[0].at(line=3, column=5), *found[1:]]


def test_sarif_validates_against_the_schema(findings: list[Finding]) -> None:
    """Every result, rule, location and related location is schema-valid SARIF 2.1.0."""
    log = json.loads(render(findings, "sarif", tool_version="1.2.3"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)
    results = log["runs"][0]["results"]
    assert len(results) == len(findings)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 5}
    results[0]["level"] = "fatal"  # the schema is strict enough to catch a wrong level
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)


def test_sarif_without_findings_is_valid() -> None:
    """An empty run is still a valid log."""
    log = json.loads(render([], "sarif"))
    jsonschema.validate(log, json.loads(SCHEMA.read_text()), cls=jsonschema.Draft7Validator)
    assert log["runs"][0]["results"] == []


def test_junit_has_one_failure_per_error(findings: list[Finding]) -> None:
    """Errors are <failure> elements typed by code; warnings pass with their text."""
    root = ET.fromstring(render(findings, "junit"))
    cases = root.findall(".//testcase")
    failures = root.findall(".//failure")
    errors = [f for f in findings if f.severity.value == "error"]
    assert len(cases) == len(findings)
    assert len(failures) == len(errors) == int(root.get("failures", "-1"))
    assert {f.get("type") for f in failures} == {f.code for f in errors}


def test_json_and_text_carry_every_finding(findings: list[Finding]) -> None:
    """JSON lists all findings with a summary; text shows each code and the totals."""
    doc = json.loads(render(findings, "json"))
    assert [f["code"] for f in doc["findings"]] == [f.code for f in findings]
    assert sum(doc["summary"].values()) == len(findings)
    text = render(findings, "text")
    for f in findings:
        assert f.code in text
    assert f"{doc['summary']['error']} error(s)" in text


def test_sarif_uri_encodes_percent_in_file_names() -> None:
    """A written file name holding '%5C' appears as '%255C', so readers decode the real name."""
    finding = Finding.make(
        "CX104", "unreachable", Location(vendor="cxone", file="flows/cxone/Flawed/A%5CB.json")
    )
    log = json.loads(render([finding], "sarif", tool_version="0"))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "flows/cxone/Flawed/A%255CB.json"
