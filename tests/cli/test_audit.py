"""``cxops audit verify|head|show``: exit codes, signed heads and tamper reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from cxops.cli.main import main
from cxops.store import Store


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite store with five audit entries, and an Ed25519 signing key set."""
    assert main(["audit", "keygen", "--private-key", str(tmp_path / "k.pem"),
                 "--public-key", str(tmp_path / "k.pub")]) == 0  # fmt: skip
    monkeypatch.setenv("CXOPS_AUDIT_SIGNING_KEY", str(tmp_path / "k.pem"))
    url = f"sqlite:///{tmp_path / 's.db'}"
    with Store.open(url) as st:
        for i in range(1, 6):
            st.audit.append("cli", "export.completed", f"run-{i}", {"i": i})
    return url


def _tamper(url: str, sql: str) -> None:
    with Store.open(url) as st, st.session() as s:
        s.execute(text("DROP TRIGGER IF EXISTS audit_no_update"))
        s.execute(text("DROP TRIGGER IF EXISTS audit_no_delete"))
        s.execute(text(sql))


def test_verify_clean_log(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A sound log verifies: exit 0, and the JSON says how many entries."""
    assert main(["audit", "verify", "--json", "--store", url]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["entries"] == 5 and doc["problem"] is None


def test_verify_names_first_bad_entry(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A changed entry exits 1 and the report names its seq and the reason."""
    _tamper(url, "UPDATE audit SET actor = 'mallory' WHERE seq = 3")
    assert main(["audit", "verify", "--store", url]) == 1
    err = capsys.readouterr().err
    assert "seq 3" in err and "hash-mismatch" in err
    assert main(["audit", "verify", "--json", "--store", url]) == 1
    assert json.loads(capsys.readouterr().out)["problem"]["seq"] == 3


def test_head_and_truncation(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An exported head verifies; after the tail is cut, verify --head exits 1 (truncated)."""
    head = tmp_path / "head.json"
    assert main(["audit", "head", "--output", str(head), "--store", url]) == 0
    doc = json.loads(head.read_text())
    private = (tmp_path / "k.pem").read_text().splitlines()[1]
    assert doc["seq"] == 5 and doc["alg"] == "Ed25519" and private not in head.read_text()
    assert main(["audit", "verify", "--head", str(head), "--store", url]) == 0
    _tamper(url, "DELETE FROM audit WHERE seq >= 4")
    assert main(["audit", "verify", "--store", url]) == 0  # the chain alone cannot tell
    capsys.readouterr()
    assert main(["audit", "verify", "--head", str(head), "--store", url]) == 1
    assert "truncated" in capsys.readouterr().err


def test_forged_head_is_refused(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A head edited after signing exits 1; an unreadable head file is an input error (1)."""
    assert main(["audit", "head", "--store", url]) == 0
    doc = json.loads(capsys.readouterr().out)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(dict(doc, seq=2)))
    assert main(["audit", "verify", "--head", str(forged), "--store", url]) == 1
    assert "bad-head-signature" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["audit", "verify", "--head", str(broken), "--store", url]) == 1
    assert "cannot read the head file" in capsys.readouterr().err


def test_head_without_key_is_a_config_error(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without CXOPS_AUDIT_SIGNING_KEY, audit head exits 2 with a hint naming the variable."""
    monkeypatch.delenv("CXOPS_AUDIT_SIGNING_KEY")
    assert main(["audit", "head", "--store", url]) == 2
    assert "CXOPS_AUDIT_SIGNING_KEY" in capsys.readouterr().err


def test_show_lists_and_exports(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """show --jsonl prints one entry per line in seq order; --limit keeps the last N."""
    assert main(["audit", "show", "--jsonl", "--store", url]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["seq"] for e in lines] == [1, 2, 3, 4, 5]
    assert lines[1]["prev_hash"] == lines[0]["hash"]
    assert main(["audit", "show", "--json", "--limit", "2", "--store", url]) == 0
    assert [e["seq"] for e in json.loads(capsys.readouterr().out)["entries"]] == [4, 5]
    assert main(["audit", "show", "--store", url]) == 0
    assert "export.completed" in capsys.readouterr().out
