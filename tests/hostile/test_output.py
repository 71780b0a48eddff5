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
