"""Progress on stderr (issue #16): export, resolve and compile against the emulator over real
HTTP, stderr captured (not a terminal): plain lines whose done/total counts are the run's own,
and stdout holding the result alone."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from cxops.cli.main import main
from cxops.cli.progress import ProgressView, duration, progress_line, showing
from cxops.emulator import EmulatorThread
from cxops.model.layout import BUNDLE_FILE
from cxops.pipelines.progress import Tally
from tests.cli.test_export import _flags, _flow_ids
from tests.cli.test_promote import PROJECT, profiles  # noqa: F401  (fixture)
from tests.cli.test_promote import _args as promote_args
from tests.pipelines.compile.conn import cli_args

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


def _folders(repo: Path, vendor: str) -> list[Path]:
    return [p for p in (repo / "flows" / vendor).iterdir() if p.is_dir()]


def _flow_files(repo: Path, vendor: str) -> int:
    return sum(
        1 for d in _folders(repo, vendor) for f in d.rglob("*.json") if f.name != BUNDLE_FILE
    )


def test_resolve_progress_counts_the_projects_and_flows_it_wrote(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """resolve (Genesys, --rate/--concurrency like export): the last progress line counts the
    project folders and flow files written; stdout is the JSON report alone."""
    repo = tmp_path / "repo"
    args = ["resolve", *cli_args(emu, "genesys"), "--repo", str(repo), "--format", "json"]
    args += ["--store", f"sqlite:///{tmp_path}/state.db", "--rate", "5000", "--concurrency", "16"]
    assert main(args) == 1  # the dev tenant has a cycle and conflicts
    out, err = capsys.readouterr()
    doc = json.loads(out)
    last = _lines(err, "resolve")[-1]
    projects, flows = len(_folders(repo, "genesys")), _flow_files(repo, "genesys")
    assert (int(last["pd"]), int(last["pt"])) == (projects, projects)
    assert (int(last["fd"]), int(last["ft"])) == (flows, flows) and flows == doc["flows"]


def test_compile_progress_counts_the_units_checked(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """compile --all: the last progress line has N/N checked for the run's N units and the
    projects read; --quiet silences progress and the per-unit lines."""
    args = ["compile", *cli_args(emu, "cxone", "prod"), "--all", "--repo", str(tmp_path / "p")]
    args += ["--store", f"sqlite:///{tmp_path}/state.db", "--format", "json"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    last = _lines(err, "compile")[-1]
    assert (int(last["ud"]), int(last["ut"])) == (doc["units"], doc["units"])
    projects = len(_folders(tmp_path / "p", "cxone"))
    assert (int(last["pd"]), int(last["pt"])) == (projects, projects)
    assert main([*args, "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["units"] == doc["units"] and _lines(err, "compile") == []
    assert "clean" not in err


@pytest.mark.usefixtures("profiles")
def test_promote_plan_progress_counts_both_sides_flows(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """promote --dry-run: the plan's last progress line reads 2/2 projects (source, target) and
    the flows of the project on both tenants, as the emulator lists them; stdout has none."""
    assert main(promote_args(tmp_path, "--dry-run")) == 0
    out, err = capsys.readouterr()
    flows = len(_flow_ids(emu, PROJECT, "dev")[1]) + len(_flow_ids(emu, PROJECT, "prod")[1])
    last = _lines(err, "promote plan")[-1]
    assert (int(last["pd"]), int(last["pt"])) == (2, 2)
    assert (int(last["fd"]), int(last["ft"])) == (flows, flows)
    assert "promote plan:" not in out


def test_line_format_and_durations() -> None:
    """The plain line names counts, rate, retries and an ETA; spans read as people write them."""
    t = Tally()
    t.feed("planned", {"projects": ["a", "b", "c"]})
    for key, total in (("a", 10), ("b", 20), ("c", 30)):
        t.feed("progress", {"project": key, "stage": "flows", "done": 0, "total": total})
    t.feed("project_done", {"project": "a", "flows": 10, "requests": 98, "retries": 1})
    line = progress_line("export", t, 10.0)
    assert line == "export: 1/3 projects, 10/60 flows, 9.8 req/s, 1 retry, ETA 20s"
    assert (duration(59.4), duration(72), duration(7500)) == ("59s", "1m12s", "2h05m")


def test_a_terminal_gets_a_live_line_and_quiet_gets_nothing() -> None:
    """On a (forced) terminal the view draws in place and prints no plain line; --quiet and
    --log-level error show nothing at all."""
    screen = io.StringIO()
    live = ProgressView("export", console=Console(file=screen, force_terminal=True, width=100))
    with live:
        live("planned", {"projects": ["a"]})
        live("project_done", {"project": "a", "flows": 2})
    assert live.live and "export: 1/1 projects" not in screen.getvalue().splitlines()
    quiet = io.StringIO()
    with ProgressView("export", quiet=True, console=Console(file=quiet)) as view:
        view("planned", {"projects": ["a"]})
        view("project_done", {"project": "a", "flows": 2})
    assert quiet.getvalue() == ""
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.ERROR)
    try:
        assert not showing(False)
    finally:
        root.setLevel(before)


def test_plain_lines_come_per_project_and_every_few_seconds_never_twice_the_same() -> None:
    """Off a terminal: a line when a project ends, one after 5 s of other progress, none for an
    event that changes no count (the run's end), and no repeat when the view closes."""
    screen = io.StringIO()
    now = [0.0]
    view = ProgressView("export", console=Console(file=screen), clock=lambda: now[0])
    with view:
        view("planned", {"projects": ["a", "b"]})
        now[0] = 2.0
        view("progress", {"project": "a", "stage": "flows", "done": 1, "total": 4})
        assert screen.getvalue() == ""  # under 5 s and no project ended
        now[0] = 6.0
        view("progress", {"project": "a", "stage": "flows", "done": 2, "total": 4})
        view("project_done", {"project": "a", "flows": 4})
        view("project_done", {"project": "b", "flows": 0})
        view("finished", {"status": "succeeded"})
    lines = screen.getvalue().splitlines()
    assert [line.split(", ")[0] for line in lines] == [
        "export: 0/2 projects",
        "export: 1/2 projects",
        "export: 2/2 projects",
    ]


@pytest.mark.parametrize("bad", [["--rate", "0"], ["--rate", "x"], ["--concurrency", "0"]])
def test_resolve_pace_flags_are_checked_like_export_s(
    bad: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """resolve --rate/--concurrency outside their range: exit 2 before any vendor call, as
    export's (the same options, cli/pace.py)."""
    for command in ("resolve", "export"):
        args = [command, "--vendor", "genesys", "--base-url", "http://127.0.0.1:9", *bad]
        assert main([*args, "--repo", "r"]) == 2
        assert bad[0] in capsys.readouterr().err  # the error names the flag
