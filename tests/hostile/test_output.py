"""What reaches a terminal: cxops' own hints intact, passwords in URLs hidden, escapes escaped."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from cxops import logs
from cxops.cli.main import main
from tests.hostile.corpus import good

ESC = "\x1b]0;pwned\x07\x1b[31m"


def test_own_hints_are_not_garbled_by_pattern_redaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A literal secret in a profile: the hint shows `api_key = "env:…"` as written, and the
    value is never echoed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cxops.toml").write_text(
        '[profiles.p]\nvendor = "cognigy"\nbase_url = "http://127.0.0.1:9"\n'
        'api_key = "literal-secret-value-123"\n'
    )
    assert main(["export", "--profile", "p", "--all", "--repo", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert 'write api_key = "env:SOME_VARIABLE"' in err, err
    assert "literal-secret-value-123" not in err
    assert "***" not in err


def test_url_passwords_are_hidden_and_user_names_kept() -> None:
    """redact_secrets hides the password of any URL; a URL with only a user stays readable."""
    text = "postgresql://admin:pa55word@db/x and postgresql://postgres@127.0.0.1/test"
    assert logs.redact_secrets(text) == (
        "postgresql://admin:***@db/x and postgresql://postgres@127.0.0.1/test"
    )


def test_escape_sequences_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name and flow names holding escape sequences: error lines and logs show \\x1b."""
    assert main(["diff", f"missing{ESC}.json", "also-missing.json"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b" in err
    doc = good()
    doc["flows"][0]["name"] = f"Menu{ESC}"
    doc["flows"][0]["nodes"].append({"id": f"x{ESC}", "type": "say"})  # unreachable: a finding
    path = tmp_path / "b.json"
    path.write_text(json.dumps(doc))
    assert main(["validate", str(path)]) in (0, 1)
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "\x07" not in out.out + out.err
    stream = io.StringIO()
    logs.configure("info", "text", stream=stream)
    logging.getLogger("cxops.test").warning("vendor said %s", f"name{ESC}\r")
    assert "\x1b" not in stream.getvalue() and "\\x1b" in stream.getvalue()
    assert "\r" not in stream.getvalue()


# OSC 52 (write the clipboard), clear screen, a bidi override, rich markup, a C1 CSI, a newline.
HOSTILE = "ev\x1b]52;c;ZXZpbA==\x07il\x1b[2J\u202e[red]x[/red]\x9b31m\nfake row"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


def _shown(text: str) -> None:
    """Nothing a terminal would act on; the markup printed as text; the newline escaped."""
    for raw in RAW:
        assert raw not in text, (raw, text)
    assert "[red]x[/red]" in text and "\\x1b]52" in text and "\\u202e" in text, text
    assert "\nfake row" not in text and "\\x0afake row" in text, text


def test_export_table_escapes_vendor_names_and_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export table: a hostile project key, name, vendor error and unstorable flow."""
    from cxops.cli.export import render_summary

    monkeypatch.setenv("COLUMNS", "400")
    summary = {
        "run": "r1",
        "status": "partial",
        "projects": [
            {"project": HOSTILE, "name": HOSTILE, "status": "ok", "flows": 1},
            {"project": "p2", "name": HOSTILE, "status": "failed", "error": HOSTILE},
        ],
        "projects_failed": ["p2"],
        "findings": {"error": 1},
        "findings_per_project": {},
        "unstorable": [{"project": HOSTILE, "id": HOSTILE, "name": HOSTILE, "error": "NaN"}],
    }
    assert render_summary(summary, [], as_json=False) == 1
    out = capsys.readouterr().out
    _shown(out)
    assert out.count("[red]x[/red]") == 7  # project, name, name, error; unstorable: 3


def test_promote_summary_escapes_names_changes_gates_and_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The promotion's plan, changes, gate table, parity lines and rollback error."""
    from cxops.cli.promote import render

    monkeypatch.setenv("COLUMNS", "400")
    summary = {
        "run": "r2",
        "outcome": "rolled_back",
        "would_block": False,
        "error": HOSTILE,
        "plan": {
            "source": {"name": HOSTILE},
            "target": {"name": "prod"},
            "diff": {
                "total_changes": 1,
                "bump": "minor",
                "changes": [{"action": "changed", "what": "flow", "id": HOSTILE}],
            },
            "version": {"given": None},
        },
        "gates": [{"gate": "checks", "passed": False, "evidence": HOSTILE}],
        "parity": {"score": 0.5, "matched": 1, "compared": 2, "differences": [HOSTILE]},
        "rollback": {"error": HOSTILE, "restored_point": "snap"},
    }
    assert render(summary, as_json=False) == 1
    _shown(capsys.readouterr().out)


def test_runs_list_and_show_escape_recorded_errors_and_params(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run recorded with a vendor's hostile error text and a hostile project parameter, an
    audit entry with a hostile actor and subject: runs list, runs show and audit show print
    them escaped."""
    from cxops.store import Store

    monkeypatch.setenv("COLUMNS", "400")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.open(url) as st:
        run = st.runs.start("export", {"project": HOSTILE})
        st.runs.finish(run.id, "failed", summary={"error": HOSTILE}, error=HOSTILE)
        st.audit.append(HOSTILE, "export.failed", HOSTILE, {"why": HOSTILE})
    assert main(["runs", "list", "--store", url]) == 0
    _shown(capsys.readouterr().out)
    assert main(["runs", "show", run.id, "--store", url]) == 0
    out = capsys.readouterr().out
    for raw in RAW:
        assert raw not in out
    assert out.count("[red]x[/red]") == 3, out  # the error, the params, the summary
    assert main(["audit", "show", "--store", url]) == 0
    _shown(capsys.readouterr().out)
