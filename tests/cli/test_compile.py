"""`cxops compile`: SARIF of the failing fixture script at file line:column, exit codes, help."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import httpx
import jsonschema
import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.emulator.cxone.fixtures import FLAWS
from cxops.store import Store
from tests.helpers.layout import flow_file
from tests.pipelines.compile.conn import cli_args

SCHEMA = sorted((Path(__file__).parents[1] / "data").glob("sarif-schema-2.1.0*.json"))[0]


def test_help_says_that_compiling_a_cxone_script_saves_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--help warns that validating a CXone script saves it and mints a masterID."""
    assert main(["compile", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "SAVED" in text and "masterID" in text and "exactly the content read" in text


def test_sarif_of_the_failing_script_points_into_the_written_file(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Broken_Menu compiled alone: exit 1, a schema-valid SARIF log with its four errors and its
    one warning, each region naming the line and column of the file written under --repo; the
    run is stored."""
    out, repo = tmp_path / "compile.sarif", tmp_path / "repo"
    store = f"sqlite:///{tmp_path}/state.db"
    args = ["compile", *cli_args(emu, "cxone"), "--scripts", "Flawed\\Broken_Menu"]
    args += ["--format", "sarif", "--output", str(out), "--repo", str(repo), "--store", store]
    assert main(args) == 1
    log = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(log, json.loads(SCHEMA.read_text()), cls=jsonschema.Draft7Validator)
    results = log["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["CX201"] * 4 + ["CX202"]
    for r in results:
        where = r["locations"][0]["physicalLocation"]
        path = repo / unquote(where["artifactLocation"]["uri"])  # a URI: decode it
        region = where["region"]
        line = path.read_text(encoding="utf-8").split("\n")[region["startLine"] - 1]
        assert region["startColumn"] <= len(line)
    with Store.open(store) as st:
        run = st.runs.list(kind="compile")[0]
        assert run.status == "partial" and run.summary and run.summary["findings"]["error"] == 4
    capsys.readouterr()


def _sarif_positions(text: str) -> set[tuple[str, str, int, int]]:
    out = set()
    for r in json.loads(text)["runs"][0]["results"]:
        where = r["locations"][0]["physicalLocation"]
        uri = unquote(where["artifactLocation"]["uri"])
        out.add((r["ruleId"], uri, where["region"]["startLine"], where["region"]["startColumn"]))
    return out


def _junit_positions(text: str) -> set[tuple[str, str, int, int]]:
    out = set()
    for case in ET.fromstring(text).iter("testcase"):
        code, where = case.attrib["name"].split(" ", 1)
        file, line, column = where.rsplit(":", 2)
        out.add((code, file, int(line), int(column)))
    return out


def test_compile_all_reports_the_same_positions_in_sarif_and_junit(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`compile --all` on dev exits 1 with every seeded CX201/CX202 at a line:column of the
    written file, the same in SARIF and JUnit; on prod (no flaw) it exits 0."""
    repo = tmp_path / "repo"
    base = ["compile", *cli_args(emu, "cxone"), "--all", "--repo", str(repo)]
    base += ["--store", f"sqlite:///{tmp_path}/state.db"]
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    assert main([*base, "--format", "sarif", "--output", str(sarif)]) == 1
    assert main([*base, "--format", "junit", "--output", str(junit)]) == 1
    positions = _sarif_positions(sarif.read_text(encoding="utf-8"))
    assert positions == _junit_positions(junit.read_text(encoding="utf-8"))
    seeded = [f for f in FLAWS if f["code"] in ("CX201", "CX202")]
    assert len(positions) == len(seeded) == 11
    want = {(f["code"], flow_file(repo, "cxone", "Flawed", f["flow"])) for f in seeded}
    assert {(c, f) for c, f, _l, _k in positions} == want
    for _code, rel, line, column in positions:
        text = (repo / rel).read_text(encoding="utf-8").split("\n")[line - 1]
        assert 1 <= column <= len(text) and text[column - 1] in '{"'
    assert sum(c == "CX201" for c, *_ in positions) == 5  # Broken_Menu 4, Missing_Sub 1
    prod = ["compile", *cli_args(emu, "cxone", "prod"), "--all", "--repo", str(tmp_path / "p")]
    assert main([*prod, "--store", f"sqlite:///{tmp_path}/state.db", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"] == {"error": 0, "warning": 0, "info": 0} and doc["units"] == 10


def test_json_output_and_clean_scripts_exit_0(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Clean scripts: exit 0 and one JSON document with each unit's outcome and status."""
    args = ["compile", *cli_args(emu, "cxone"), "--scripts", "Main\\IVR_Main"]
    args += ["--scripts", "Common\\Auth_PIN", "--format", "json", "--repo", str(tmp_path)]
    args += ["--store", f"sqlite:///{tmp_path}/state.db"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(r["unit"], r["outcome"], r["status"]) for r in doc["results"]] == [
        ("Common\\Auth_PIN", "clean", "200"),
        ("Main\\IVR_Main", "clean", "200"),
    ]
    assert doc["findings"] == {"error": 0, "warning": 0, "info": 0}


def test_unknown_script_and_cognigy_are_usage_errors(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script that does not exist, or a vendor without a compile, is exit 2 with a hint."""
    store = ["--store", f"sqlite:///{tmp_path}/state.db", "--repo", str(tmp_path)]
    args = ["compile", *cli_args(emu, "cxone"), "--scripts", "Nope\\Missing", *store]
    assert main(args) == 2
    assert "Nope" in capsys.readouterr().err
    assert main(["compile", *cli_args(emu, "cognigy"), *store]) == 2
    assert "cxops validate" in capsys.readouterr().err


def test_a_script_the_vendor_could_not_check_is_exit_3_not_a_pass(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every save of Auth_PIN answers 503: the unit fails after the transport's retries, no
    finding exists, and compile exits 3 naming the script instead of passing the gate."""
    fault = {"vendor": "cxone", "tenant": "dev", "method": "POST",
             "path": "/inContactAPI/*/scripts", "action": "error", "status": 503}  # fmt: skip
    httpx.post(f"{emu.url}/_emulator/scenario", json={"faults": [fault]}).raise_for_status()
    args = ["compile", *cli_args(emu, "cxone"), "--scripts", "Common\\Auth_PIN"]
    args += ["--repo", str(tmp_path), "--store", f"sqlite:///{tmp_path}/state.db"]
    assert main(args) == 3
    assert "Common\\Auth_PIN" in capsys.readouterr().err
