"""The flag language every command shares (issue #16): --format/--json, -o/--output, lists,
errors as one JSON document, error lines as JSON under --log-format json, and --help pages
(an example each, no flag shown as taking a <bool>)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxops.cli.common import split
from cxops.cli.main import main


def leaf_commands() -> list[list[str]]:
    """Every command a user can run, as argv prefixes (``["runs", "show"]``), from app.COMMANDS."""
    from cxops.cli.app import COMMANDS, app, register

    register()
    leaves: list[list[str]] = []
    for command in app.registered_commands:
        leaves.append([str(command.name)])
    for group in app.registered_groups:
        assert group.typer_instance is not None
        for sub in group.typer_instance.registered_commands:
            leaves.append([str(group.name), str(sub.name)])
    assert {leaf[0] for leaf in leaves} == set(COMMANDS)
    return leaves


def one_json_document(out: str) -> dict[str, object]:
    """The one JSON document stdout holds (fails if there is anything else)."""
    doc = json.loads(out)  # raises on a second document or trailing text
    assert isinstance(doc, dict), out
    assert out.strip().count("\n") == 0 or out.lstrip().startswith("{"), out
    return doc


def test_split_takes_repeats_and_commas() -> None:
    """A list option's values: repeated, comma-separated, blanks and duplicates dropped."""
    assert split(["a,b", " c ", "", "a", "d,,e"]) == ["a", "b", "c", "d", "e"]
    assert split("x") == ["x"]
    assert split(None) == []


@pytest.mark.parametrize("leaf", leaf_commands(), ids=" ".join)
def test_every_command_help_has_an_example_and_no_bool_metavar(
    leaf: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`cxops CMD --help` shows an example, and no flag as if it took a <bool> value."""
    assert main([*leaf, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example" in out, out
    assert "<bool>" not in out and "BOOLEAN" not in out, out
    assert "…" not in out, out  # nothing cut, though stdout is not a terminal


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],  # a missing argument
        ["validate", "x", "--format", "xml"],  # a value that is not a choice
        ["validate", "x", "--no-such-flag"],
        ["no-such-command"],
        ["validate", "x", "--json", "--format", "sarif"],  # two formats at once
    ],
    ids=["missing", "bad-choice", "unknown-flag", "unknown-command", "two-formats"],
)
def test_usage_errors_with_json_print_one_error_document(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A usage error under --json: exit 2, stdout holds only {"error", "hint", "exit": 2}."""
    code = main([*argv, "--json"] if "--json" not in argv else argv)
    out, err = capsys.readouterr()
    assert code == 2, err
    doc = one_json_document(out)
    assert set(doc) == {"error", "hint", "exit"}
    assert doc["exit"] == 2 and doc["error"] and doc["hint"]
    assert f"error: {doc['error']}" in err  # people reading the log see it too


def test_usage_errors_without_json_print_error_and_hint(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json an error is two lines on stderr, error and hint, and nothing on stdout."""
    assert main(["validate", "x", "--format", "xml"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("error: Invalid value for '--format'") and "'xml'" in lines[0]
    assert lines[1].startswith("hint: usage: cxops validate") and "--help" in lines[1]


def test_log_format_json_prints_the_error_as_a_json_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --log-format json, error and hint are one JSON line on stderr, with the exit code."""
    missing = tmp_path / "nothing-here"
    assert main(["--log-format", "json", "validate", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = [json.loads(line) for line in err.strip().splitlines()]
    assert len(lines) == 1
    assert lines[0]["level"] == "error" and lines[0]["exit"] == 2
    assert str(missing) in lines[0]["message"] and "hint" in lines[0]


def test_a_bug_under_json_is_one_error_document_exit_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected error under --json: exit 4, the document names the crash log."""
    import cxops.cli.validate as validate_cmd

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(validate_cmd, "collect", broken)
    assert main(["validate", str(tmp_path), "--json"]) == 4
    doc = one_json_document(capsys.readouterr().out)
    assert doc["exit"] == 4 and "simulated bug" in str(doc["error"])
    log = Path(str(doc["hint"]).split("traceback is in ")[1].split()[0])
    assert "RuntimeError" in log.read_text()
    log.unlink()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_writes_the_report_and_says_so_on_stderr(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o FILE: the report goes to FILE whole (stdout stays empty), one stderr line names it."""
    from cxops.model.layout import pretty_bytes
    from tests.analysis.bundles import flawed_bundle

    single = tmp_path / "bundle.json"
    single.write_bytes(pretty_bytes(flawed_bundle()))
    report = tmp_path / f"report.{fmt}"
    assert main(["validate", str(single), "--format", fmt, "-o", str(report)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines() == [f"wrote {report} ({fmt}, {report.stat().st_size} bytes)"]
    text = report.read_text()
    if fmt == "json":
        assert json.loads(text)["summary"]["error"] >= 1
    else:
        assert "CX101" in text and "\x1b[" not in text  # no colour codes in a file


LONG = "Customer Care - Billing Disputes - Escalation to Second Level Support (EMEA, weekends)"


def test_piped_output_is_never_cut_at_80_columns(tmp_path: Path) -> None:
    """`cxops diff` piped (stdout not a terminal) prints a long flow name whole, on one line."""
    import subprocess
    import sys

    from cxops.model.layout import pretty_bytes
    from tests.analysis.bundles import bundle, edge, menu_flow

    before = menu_flow()
    before["name"] = LONG[:58]  # diff shortens names past 60 characters, by design
    after = {**before, "edges": [*before["edges"], edge("again", "done")]}
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_bytes(pretty_bytes(bundle([before])))
    b.write_bytes(pretty_bytes(bundle([after])))
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run(
        [sys.executable, "-m", "cxops", "diff", str(a), str(b)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if LONG[:58] in line]
    assert lines and len(lines[0]) > 80, done.stdout  # one line, past the 80th column


def test_tables_off_a_terminal_keep_long_cells_whole(capsys: pytest.CaptureFixture[str]) -> None:
    """A rich table printed through common.console() to a pipe keeps a long cell on one line."""
    from rich.table import Table

    from cxops.cli.common import console

    table = Table("project", "flows")
    table.add_row(LONG, "12")
    console().print(table)
    out = capsys.readouterr().out
    assert any(LONG in line and "12" in line for line in out.splitlines()), out


def test_no_command_makes_its_own_console() -> None:
    """Rich output in cli/ goes through common.console (or Output.console): a Console made
    directly would cut piped output at 80 columns."""
    import re

    import cxops.cli

    folder = Path(cxops.cli.__file__).parent
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "common.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bConsole\(", line)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["promote", "--from", "dev", "--to", "prod", "--version", "1.x"], "--version"),
        (["promote", "--from", "dev", "--to", "prod", "--mechanism", "teleport"], "--mechanism"),
        (["promote", "--from", "dev", "--to", "prod", "--gates", "validation,nope"], "nope"),
        (["export", "--repo", "r", "--all", "--rate", "0"], "--rate"),
        (["export", "--repo", "r", "--all", "--project", "p"], "--project"),
        (["compile", "--all", "--scripts", "A\\B"], "--scripts"),
        (["resolve", "--artifact-name", "x"], "--registry"),
        (["worker", "--queues", "export,nope"], "nope"),
        (["metrics", "--format", "xml"], "--format"),
    ],
)
def test_flag_values_are_checked_before_anything_else(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad flag value is exit 2 naming the flag, before any profile, store or vendor is
    touched (there is no cxops.toml here: reaching one would be another error)."""
    assert main([*argv, "--json"]) == 2
    doc = one_json_document(capsys.readouterr().out)
    assert named in str(doc["error"]) and doc["exit"] == 2, doc
    assert not Path(".cxops").exists()  # no store was opened
