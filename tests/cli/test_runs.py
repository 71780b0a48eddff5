"""``cxops runs list|show|resume`` over a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxops.cli.main import main
from cxops.store import Store


def _seed(url: str) -> str:
    with Store.open(url) as st:
        old = st.runs.start("compile")
        st.runs.finish(old.id, "failed", error="bad script")
        run = st.runs.start("export", {"vendor": "genesys"})
        st.steps.begin(run.id, "export.flow", f"{run.id}:f1")
        st.steps.finish(f"{run.id}:f1", result={"sha": "abc"})
        with st.transaction() as tx:
            tx.emit("flow.export.completed", {"run": run.id}, run_id=run.id)
            tx.finish_run(run.id, summary={"flows": 1})
        return run.id


def test_list_json_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """runs list --json prints every run newest first; --kind and --status filter."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    run_id = _seed(url)
    assert main(["runs", "list", "--json", "--store", url]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["kind"] for r in runs] == ["export", "compile"] and runs[0]["id"] == run_id
    assert main(["runs", "list", "--json", "--status", "failed", "--store", url]) == 0
    (failed,) = json.loads(capsys.readouterr().out)["runs"]
    assert failed["error"] == "bad script"


def test_list_reads_the_env_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CXOPS_STORE_URL picks the store when --store is not given; text output lists the run."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    run_id = _seed(url)
    monkeypatch.setenv("CXOPS_STORE_URL", url)
    assert main(["runs", "list"]) == 0
    assert run_id[:12] in capsys.readouterr().out


def test_show_by_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """runs show accepts a unique prefix; --json has steps and events, the text shows them in
    sections."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    run_id = _seed(url)
    assert main(["runs", "show", run_id[:6], "--json", "--store", url]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["id"] == run_id and doc["summary"] == {"flows": 1}
    assert [s["result"] for s in doc["steps"]] == [{"sha": "abc"}]
    assert [e["type"] for e in doc["events"]] == ["flow.export.completed"]
    assert main(["runs", "show", run_id, "--store", url]) == 0
    out = capsys.readouterr().out
    titles = [ln for ln in out.splitlines() if ln and not ln.startswith(" ")]
    assert titles == [f"run {run_id}  export  succeeded", "parameters", "summary", "steps",
                      "events"], out  # fmt: skip
    assert "  vendor: genesys" in out and "  flows: 1" in out and "export.flow" in out
    assert "  flow.export.completed (" in out


def test_show_unknown_and_resume_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown run id exits 2 with a hint, for show and for resume."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["runs", "show", "nope", "--store", url]) == 2
    assert "no run matches" in capsys.readouterr().err
    assert main(["runs", "resume", "abc", "--store", url]) == 2
    assert "no run matches" in capsys.readouterr().err
