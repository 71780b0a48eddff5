"""Who did it (issue #16): audit entries name the OS user, or the CI's identity, read from the
environment of the process that writes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.store import Store
from cxops.store.actor import current_actor
from tests.pipelines.compile.conn import cli_args

_CI = ("CXOPS_ACTOR", "GITHUB_ACTIONS", "GITHUB_ACTOR", "GITHUB_RUN_ID", "GITLAB_CI",
       "GITLAB_USER_LOGIN", "CI_JOB_ID", "CI")  # fmt: skip


@pytest.fixture
def as_alice(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A process run by OS user alice outside any CI."""
    for key in _CI:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LOGNAME", "alice")
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "alice"),
        ({"CI": "true"}, "ci (os user alice)"),
        (
            {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat",
             "GITHUB_RUN_ID": "4242"},
            "github:octocat (run 4242; os user alice)",
        ),
        (
            {"CI": "true", "GITLAB_CI": "true", "GITLAB_USER_LOGIN": "jdoe", "CI_JOB_ID": "77"},
            "gitlab:jdoe (job 77; os user alice)",
        ),
        ({"CI": "true", "GITHUB_ACTIONS": "true", "CXOPS_ACTOR": "release-bot"}, "release-bot"),
        ({"GITHUB_ACTIONS": "true"}, "alice"),  # no GITHUB_ACTOR: nothing to name
        ({"CXOPS_ACTOR": "bad\x1b[2Jname"}, "bad[2Jname"),
    ],
)  # fmt: skip
def test_actor_from_the_environment(
    as_alice: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    """Each CI's variables, the override and the OS user give the documented name."""
    for key, value in env.items():
        as_alice.setenv(key, value)
    assert current_actor() == expected


def test_tool_entries_name_who_ran_them_and_explicit_actors_stay(
    as_alice: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An entry cxops appends for the user ("cxops"/"cli") names the GitHub actor and run; a
    named actor (an approver) is kept; the chain still verifies."""
    as_alice.setenv("GITHUB_ACTIONS", "true")
    as_alice.setenv("GITHUB_ACTOR", "octocat")
    as_alice.setenv("GITHUB_RUN_ID", "9")
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.audit.append("cxops", "export.succeeded", "run-1")
        store.audit.append("Dana (dashboard)", "promote.approved", "run-2")
        actors = [e.actor for e in store.audit.iter()]
        assert actors == ["github:octocat (run 9; os user alice)", "Dana (dashboard)"]
        assert store.audit.verify().ok


def test_resolve_audit_entries_name_the_os_user(
    as_alice: pytest.MonkeyPatch, emu: EmulatorThread, tmp_path: Path
) -> None:
    """`cxops resolve` outside CI: its resolve.lock entry is alice's, not a constant."""
    store = f"sqlite:///{tmp_path / 'state.db'}"
    args = ["resolve", *cli_args(emu, "genesys"), "--repo", str(tmp_path / "r"), "--store", store]
    main([*args, "--format", "json", "--rate", "5000", "--quiet"])
    with Store.open(store) as st:
        entries = [e for e in st.audit.iter() if e.action == "resolve.lock"]
    assert [e.actor for e in entries] == ["alice"]
    assert json.dumps(entries[0].details)  # the entry is whole
