"""`cxops compile`: SARIF of the failing fixture script at file line:column, exit codes, help."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.store import Store
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
    """Broken_Menu compiled alone: exit 1, a schema-valid SARIF log with its four errors, each
    region naming the line and column of the file written under --repo; the run is stored."""
    out, repo = tmp_path / "compile.sarif", tmp_path / "repo"
    store = f"sqlite:///{tmp_path}/state.db"
    args = ["compile", *cli_args(emu, "cxone"), "--scripts", "Flawed\\Broken_Menu"]
    args += ["--format", "sarif", "--output", str(out), "--repo", str(repo), "--store", store]
    assert main(args) == 1
    log = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(log, json.loads(SCHEMA.read_text()), cls=jsonschema.Draft7Validator)
    results = log["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["CX201"] * 4
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
