"""Progress on stderr (issue #16): export, resolve and compile against the emulator over real
HTTP, stderr captured (not a terminal): plain lines whose done/total counts are the run's own,
and stdout holding the result alone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from tests.cli.test_export import _flags

LINE = re.compile(
    r"^(?P<label>[a-z ]+): (?:(?P<pd>\d+)/(?P<pt>\d+) projects(?: \(\d+ failed\))?, )?"
    r"(?:(?P<fd>\d+)/?(?P<ft>\d+)? flows, )?(?:(?P<ud>\d+)/(?P<ut>\d+) checked, )?"
    r"(?:[\d.]+ req/s, )?(?P<retries>\d+) retr(?:y|ies)(?:, ETA \S+)?$"
)


def _lines(err: str, label: str) -> list[dict[str, Any]]:
    found = []
    for raw in err.splitlines():
        if raw.startswith(f"{label}: "):
            m = LINE.match(raw)
            assert m is not None, f"not a progress line: {raw!r}"
            found.append({k: v for k, v in m.groupdict().items() if v is not None})
    return found


def test_export_progress_names_the_run_s_projects_and_flows_on_stderr_only(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export --all --json: plain progress lines on stderr, the last one N/N projects and F/F
    flows of the run's summary; stdout is exactly the JSON document; --quiet shows none."""
    flags = _flags(emu, tmp_path, tenant="prod")
    repo = tmp_path / "repo"
    assert main(["export", *flags, "--all", "--repo", str(repo), "--json"]) in (0, 1)
    out, err = capsys.readouterr()
    doc = json.loads(out)  # the whole of stdout is one document
    projects, flows = len(doc["projects"]), doc["flows"]
    assert projects >= 2 and flows > projects
    lines = _lines(err, "export")
    assert len(lines) >= projects  # a line each time a project ends
    last = lines[-1]
    assert (int(last["pd"]), int(last["pt"])) == (projects, projects)
    assert (int(last["fd"]), int(last["ft"])) == (flows, flows)
    done = [int(line["pd"]) for line in lines]
    assert done == sorted(done)

    assert main(["export", *flags, "--all", "--repo", str(repo), "--json", "--quiet"]) in (0, 1)
    out, err = capsys.readouterr()
    again = json.loads(out)
    assert again["flows"] == flows and again["changed"] is False
    assert _lines(err, "export") == []


def test_export_text_output_keeps_progress_off_stdout(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --json the table goes to stdout and the progress lines to stderr, never mixed."""
    flags = _flags(emu, tmp_path, tenant="prod")
    main(["export", *flags, "--all", "--repo", str(tmp_path / "repo")])
    out, err = capsys.readouterr()
    assert "export: " not in out and "req/s" not in out
    assert _lines(err, "export")
    assert "findings:" in out
