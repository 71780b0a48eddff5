"""`cxops validate`: exit codes, formats, file:line:column, and hostile input as CX100."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxops.cli.main import main
from cxops.model.bundle import Bundle
from cxops.model.layout import bundle_files, pretty_bytes
from tests.analysis.bundles import bundle, flawed_bundle, menu_flow


def _write(root: Path, b: Bundle) -> None:
    for rel, data in bundle_files(b).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_clean_repository_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An export repository without problems: exit 0, 'no findings'."""
    _write(tmp_path, Bundle.model_validate(bundle([menu_flow()])))
    assert main(["validate", str(tmp_path)]) == 0
    assert "no findings" in capsys.readouterr().out


def test_findings_exit_1_with_file_line_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Error findings exit 1; JSON output names the flow file and the line of the node."""
    _write(tmp_path, Bundle.model_validate(flawed_bundle()))
    assert main(["validate", str(tmp_path), "--format", "json", "--max-nodes", "5"]) == 1
    doc = json.loads(capsys.readouterr().out)
    trap = next(f for f in doc["findings"] if f["code"] == "CX109")
    loc = trap["location"]
    assert loc["file"].endswith("flows/cognigy/p1/trap.json")
    lines = (tmp_path / "flows/cognigy/p1/trap.json").read_text().splitlines()
    assert lines[loc["line"] - 1][loc["column"] - 1 :].startswith("{")
    assert '"id": "q"' in lines[loc["line"]]
    assert doc["summary"]["error"] >= 9


def test_sarif_and_junit_to_file(tmp_path: Path) -> None:
    """--output writes the report in the requested format; the exit code still says errors."""
    single = tmp_path / "bundle.json"
    single.write_bytes(pretty_bytes(flawed_bundle()))
    out = tmp_path / "report.sarif"
    assert main(["validate", str(single), "--format", "sarif", "--output", str(out)]) == 1
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    junit = tmp_path / "report.xml"
    assert main(["validate", str(single), "--format", "junit", "--output", str(junit)]) == 1
    assert "<failure" in junit.read_text()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b'{"format": NaN}', "NaN"),
        (b'{"x": "\xff"}', "invalid UTF-8"),
        (b'{"x": "\\ud800"}', "lone surrogate"),
        (b"[" * 100_000 + b"]" * 100_000, "nesting deeper"),
        (b'{"format": "cxops.bundle/1", "flows": [', "invalid JSON"),
    ],
)
def test_hostile_input_is_cx100_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, needle: str
) -> None:
    """Each hostile file gives CX100 with a byte offset and a position, and exit 1."""
    path = tmp_path / "evil.json"
    path.write_bytes(content)
    assert main(["validate", str(path), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    (finding,) = json.loads(captured.out)["findings"]
    assert finding["code"] == "CX100"
    assert needle in finding["message"] and "at byte" in finding["message"]
    assert finding["location"]["line"] >= 1


def test_100_mb_file_is_refused_unread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 100 MB file is over the size cap: CX100 from its size alone, exit 1."""
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: no 100 MB written, the size is what counts
    assert main(["validate", str(path), "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["code"] == "CX100" and "over the" in finding["message"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist is exit 2 (usage), not a finding."""
    assert main(["validate", str(tmp_path / "nope")]) == 2


def test_one_flow_file_is_checked_in_its_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Validating a single flow file reads its project's _bundle.json (resources) with it."""
    _write(tmp_path, Bundle.model_validate(flawed_bundle()))
    trap = tmp_path / "flows/cognigy/p1/trap.json"
    assert main(["validate", str(trap), "--format", "json"]) == 1
    codes = {
        (f["code"], f["location"]["flow"]) for f in json.loads(capsys.readouterr().out)["findings"]
    }
    assert codes == {("CX109", "trap")}


def test_json_that_is_not_a_bundle_is_cx100(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Valid JSON of the wrong shape (an array) is CX100 at the document root, not a crash."""
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    assert main(["validate", str(path), "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["code"] == "CX100" and "JSON object" in finding["message"]


def test_parallel_loader_gives_the_same_findings(tmp_path: Path) -> None:
    """A project of 300 flow files indexed by 2 worker processes gives exactly the findings of
    the in-process loader (parts are merged in file order)."""
    from cxops.cli.validate import PARALLEL_MIN_FILES, collect

    flows = [menu_flow(f"m{i:03d}") for i in range(PARALLEL_MIN_FILES + 44)]
    flows[7]["edges"].append({"source": "ask", "target": "nowhere"})
    flows[250]["nodes"].append({"id": "island", "type": "say"})
    _write(tmp_path, Bundle.model_validate(bundle(flows)))
    one = collect([tmp_path], max_nodes=500, max_bytes=1 << 20, workers=1)
    two = collect([tmp_path], max_nodes=500, max_bytes=1 << 20, workers=2)
    assert one == two
    assert {(f.code, f.location.flow) for f in two} == {("CX103", "m007"), ("CX104", "m250")}
    assert all(f.location.line and f.location.column for f in two)


def test_flows_checked_in_the_workers_give_the_findings_of_the_whole(tmp_path: Path) -> None:
    """The workers check their flows and hand back findings with line:column filled; the
    result equals checking one index of every flow in this process (nothing settled)."""
    from cxops.analysis.checks import CheckOptions
    from cxops.analysis.findings import sort_findings
    from cxops.analysis.scope import check_together
    from cxops.cli.validate import (
        PARALLEL_MIN_FILES,
        add_positions,
        collect,
        discover,
        index_source,
    )

    doc = flawed_bundle()
    doc["flows"] += [menu_flow(f"m{i:03d}") for i in range(PARALLEL_MIN_FILES)]
    doc["flows"][-1]["nodes"][1]["refs"] = [{"kind": "flow", "id": "trap"}]
    doc["flows"][0]["nodes"][0]["refs"] = [{"kind": "flow", "id": "m255"}]  # a cycle across
    _write(tmp_path, Bundle.model_validate(doc))
    whole = [index_source(s, max_bytes=1 << 20) for s in discover(tmp_path)]
    assert not any(f.settled for index in whole for f in index.flows)
    expected = sort_findings(add_positions(check_together(whole, CheckOptions(max_nodes=5))))
    two = collect([tmp_path], max_nodes=5, max_bytes=1 << 20, workers=2)
    assert two == expected
    options = CheckOptions(max_nodes=5)
    (settled,) = [index_source(s, workers=2, options=options) for s in discover(tmp_path)]
    assert all(f.settled for f in settled.flows) and settled.node_count == 0
    assert settled.checked and all(f.location.line for f in settled.checked)  # filled there
    assert {"CX101", "CX102", "CX103", "CX104", "CX107", "CX108", "CX109"} <= {f.code for f in two}
