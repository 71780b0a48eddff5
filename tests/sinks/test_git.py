"""The git sink on real repositories in tmp_path (the real ``git`` command, no identity set)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cxops.errors import InputError
from cxops.model.bundle import Bundle, Flow, Node
from cxops.sinks.git import (
    FlowChanges,
    GitError,
    GitIdentity,
    GitRepo,
    commit_message,
    semantic_summary,
)


def _flow(fid: str, text: str = "hello") -> Flow:
    return Flow(
        id=fid,
        name=f"Flow {fid}",
        kind="test.flow",
        entry=["a"],
        nodes=[Node(id="a", type="say", properties={"text": text}), Node(id="b", type="end")],
    )


def _bundle(*flows: Flow, project: str = "p1") -> Bundle:
    return Bundle(vendor="cognigy", tenant="dev", project=project, flows=list(flows))


#: Layout 2 (issue #16): project "p1" has no name, so its folder is its key; flow "f1" is
#: called "Flow f1", so its file is ``flow-f1.json``.
BASE = "flows/cognigy/p1"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _files(root: Path) -> list[str]:
    return sorted(_git(root, "ls-files").split())


def test_first_write_commits_and_identical_write_does_not(tmp_path: Path) -> None:
    """A first export commits every file; the same content again (new exported_at) makes no
    commit; the default identity works on a machine with no git identity at all."""
    repo = GitRepo.open_or_init(tmp_path / "exports")
    assert repo.head() is None
    changes = repo.write_bundle(_bundle(_flow("f1"), _flow("f2")))
    assert (changes.added, changes.changed, changes.removed) == (["f1", "f2"], [], [])
    repo.write_lock()
    first = repo.commit(commit_message("export cognigy/dev/p1", run_id="run-1", changes=changes))
    assert first is not None and repo.head() == first
    base = BASE
    assert _files(repo.root) == sorted(
        ["cxops.lock", f"{base}/_bundle.json", f"{base}/flow-f1.json", f"{base}/flow-f2.json"]
    )
    assert _git(repo.root, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == (
        "cxops <cxops@localhost>|cxops <cxops@localhost>"
    )
    assert repo.trailers()["Cxops-Run-Id"] == "run-1"

    again = _bundle(_flow("f1"), _flow("f2")).model_copy(update={"exported_at": "2030-01-01"})
    same = repo.write_bundle(again)
    repo.write_lock()
    assert not same.any and same.unchanged == ["f1", "f2"]
    assert repo.commit("export again") is None
    assert repo.head() == first


def test_a_change_commits_exactly_that_flow(tmp_path: Path) -> None:
    """Changing one flow commits that flow's file, the bundle file (its hash) and the lock."""
    repo = GitRepo.open_or_init(tmp_path)
    repo.write_bundle(_bundle(_flow("f1"), _flow("f2")))
    repo.write_lock()
    repo.commit("first")
    changes = repo.write_bundle(_bundle(_flow("f1"), _flow("f2", text="changed")))
    repo.write_lock()
    assert (changes.added, changes.changed, changes.removed) == ([], ["f2"], [])
    assert changes.summary() == "0 flows added, 1 changed, 0 removed"
    sha = repo.commit(commit_message("export", run_id="run-2", changes=changes))
    assert sha is not None
    base = BASE
    assert repo.changed_files(sha) == sorted(
        ["cxops.lock", f"{base}/_bundle.json", f"{base}/flow-f2.json"]
    )
    stat = repo.diff_summary(sha)
    assert "flow-f2.json" in stat and "flow-f1.json" not in stat
    assert '"changed"' in _git(repo.root, "show", sha, "--", f"{base}/flow-f2.json")


def test_flows_removed_upstream_are_removed(tmp_path: Path) -> None:
    """A flow missing from the next export is deleted and the deletion committed; an empty
    project keeps only its bundle file."""
    repo = GitRepo.open_or_init(tmp_path)
    repo.write_bundle(_bundle(_flow("f1"), _flow("f2"), _flow("f3")))
    repo.commit("first")
    changes = repo.write_bundle(_bundle(_flow("f1"), _flow("f3")))
    assert changes.removed == ["f2"]
    sha = repo.commit("second")
    assert sha is not None
    assert [s for s, p in _name_status(repo.root, sha) if p.endswith("flow-f2.json")] == ["D"]
    empty = repo.write_bundle(_bundle())
    assert sorted(empty.removed) == ["f1", "f3"]
    assert repo.commit("third") is not None
    assert _files(repo.root) == [f"{BASE}/_bundle.json"]


def _name_status(root: Path, sha: str) -> list[tuple[str, str]]:
    rows = _git(root, "show", "--name-status", "--format=", sha).splitlines()
    return [(r.split("\t")[0], r.split("\t")[1]) for r in rows if r]


def test_other_projects_and_user_files_are_left_alone(tmp_path: Path) -> None:
    """Writing project p2 never deletes p1's files, and a user's unrelated change in the same
    repository is not swept into the export commit."""
    repo = GitRepo.open_or_init(tmp_path)
    repo.write_bundle(_bundle(_flow("f1"), project="p1"))
    repo.commit("p1")
    (repo.root / "NOTES.md").write_text("mine\n")
    repo.write_bundle(_bundle(_flow("g1"), project="p2"))
    sha = repo.commit("p2")
    assert sha is not None
    assert all(p.startswith("flows/cognigy/p2/") for p in repo.changed_files(sha))
    assert (repo.root / BASE / "flow-f1.json").is_file()
    assert "NOTES.md" in _git(repo.root, "status", "--porcelain")


@pytest.mark.parametrize(
    "hostile",
    ["../../x", "../x.json", "/etc/passwd", "a/../../x", "a\0b", ".git/config", "a\\..\\x", ""],
)
def test_hostile_extra_paths_are_refused_before_writing(tmp_path: Path, hostile: str) -> None:
    """Extra files that would leave the repository (or enter .git) are refused, and nothing of
    that bundle is written."""
    repo = GitRepo.open_or_init(tmp_path / "r")
    with pytest.raises(InputError, match="refusing to write"):
        repo.write_bundle(_bundle(_flow("f1")), extra_files={hostile: b"x"})
    assert not (repo.root / "flows").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_hostile_ids_stay_inside(tmp_path: Path) -> None:
    """Flow and project ids and names like ``../../x``, absolute paths, NUL, ``_bundle.json``,
    ``.git``, names equal but for case: readable file names inside the project folder, none
    hidden or ``_bundle.json``, one per flow even on a case-insensitive file system; nothing is
    written outside the repository, and every flow reads back."""
    repo = GitRepo.open_or_init(tmp_path / "r")
    ids = ["../../x", "/etc/passwd", "a\0b", ".git", "_bundle.json", "C:\\win", "Main", "main"]
    flows = [_flow(i).model_copy(update={"name": i}) for i in ids]
    bundle = _bundle(*flows, project="../../evil")
    changes = repo.write_bundle(bundle)
    assert sorted(changes.added) == sorted(ids)
    repo.commit("hostile")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    folder = repo.root / "flows" / "cognigy" / "evil"
    names = sorted(p.name for p in folder.iterdir())
    assert "_bundle.json" in names and len(names) == len(ids) + 1
    flow_files = [n for n in names if n != "_bundle.json"]
    assert not [n for n in flow_files if n[0] in "._" or "/" in n or "\\" in n or "\0" in n]
    assert len({n.casefold() for n in flow_files}) == len(ids)
    assert {"x.json", "etc-passwd.json", "git.json", "bundle-json.json"} <= set(flow_files)
    back = repo.read_bundle("cognigy", "../../evil")
    assert back is not None and sorted(f.id for f in back.flows) == sorted(ids)


def test_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    """A ``flows`` symlink planted to point outside makes writes fail instead of following it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = GitRepo.open_or_init(tmp_path / "r")
    os.symlink(outside, repo.root / "flows")
    with pytest.raises(InputError, match="outside the repository"):
        repo.write_bundle(_bundle(_flow("f1")))
    assert list(outside.iterdir()) == []


def test_tags_are_annotated_and_not_moved(tmp_path: Path) -> None:
    """tag() makes an annotated tag by the configured identity; the same tag on the same
    commit is a no-op, on another commit an error; a bad tag name is refused by git."""
    repo = GitRepo.open_or_init(tmp_path, identity=GitIdentity("Release Bot", "rb@example.org"))
    repo.write_bundle(_bundle(_flow("f1")))
    first = repo.commit("one")
    assert repo.tag("v1.0.0", "first release") == first
    assert repo.tag("v1.0.0", "first release") == first
    assert _git(repo.root, "cat-file", "-t", "v1.0.0").strip() == "tag"
    assert "Release Bot <rb@example.org>" in _git(repo.root, "cat-file", "-p", "v1.0.0")
    repo.write_bundle(_bundle(_flow("f1", "v2")))
    repo.commit("two")
    with pytest.raises(GitError, match="already points at"):
        repo.tag("v1.0.0", "moved?")
    with pytest.raises(GitError):
        repo.tag("bad..name", "no")


def test_identity_from_environment_and_ambient_git_variables_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CXOPS_GIT_NAME/EMAIL set the identity; an ambient GIT_AUTHOR_NAME does not leak in."""
    monkeypatch.setenv("CXOPS_GIT_NAME", "Exporter")
    monkeypatch.setenv("CXOPS_GIT_EMAIL", "exporter@example.org")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Somebody Else")
    repo = GitRepo.open_or_init(tmp_path)
    repo.write_bundle(_bundle(_flow("f1")))
    repo.commit("x")
    assert _git(repo.root, "log", "-1", "--format=%an <%ae>").strip() == (
        "Exporter <exporter@example.org>"
    )


def test_commit_message_shape() -> None:
    """The message has the subject, the flow counts, the flows by name (the id beside a name
    two flows share; the id alone without a name), then the run id trailer last."""
    names = {"a": "Main", "b": "Menu", "d": "Menu"}
    changes = FlowChanges(added=["a"], changed=["b", "c"], removed=["d"], names=names)
    text = commit_message("export x\nignored", run_id="r-9", changes=changes)
    lines = text.splitlines()
    assert lines[0] == "export x"
    assert "1 flow added, 2 changed, 1 removed" in lines
    assert "  added: flow 'Main'" in lines
    assert "  changed: flow 'Menu' (b)" in lines and "  removed: flow 'Menu' (d)" in lines
    assert "  changed: flow c" in lines
    assert lines[-1] == "Cxops-Run-Id: r-9"


def test_temp_files_of_a_killed_run_are_not_committed(tmp_path: Path) -> None:
    """A temporary file left by a run killed mid-write is removed by the next write, never
    committed."""
    repo = GitRepo.open_or_init(tmp_path)
    repo.write_bundle(_bundle(_flow("f1")))
    repo.commit("first")
    stray = repo.root / BASE / ".cxops-abc123.tmp"
    stray.write_bytes(b'{"half": ')
    repo.write_bundle(_bundle(_flow("f1"), _flow("f2")))
    sha = repo.commit("second")
    assert sha is not None and not stray.exists()
    assert not any(".cxops-" in p for p in repo.changed_files(sha))


def test_diff_summaries(tmp_path: Path) -> None:
    """diff_summary() shows what is staged before a commit; semantic_summary() names the
    analysis' bump for the flows that changed, read back from the work tree."""
    repo = GitRepo.open_or_init(tmp_path)
    repo.write_bundle(_bundle(_flow("f1"), _flow("f2")))
    repo.commit("first")
    old = repo.read_bundle("cognigy", "p1")
    assert old is not None and [f.id for f in old.flows] == ["f1", "f2"]
    new = _bundle(_flow("f1", "new words"))
    repo.write_bundle(new)
    staged = repo.diff_summary()
    assert "f1.json" in staged and "f2.json" in staged and "3 files changed" in staged
    assert semantic_summary(old, new).startswith("bump major")  # a flow was removed
    assert semantic_summary(None, new) == "new project: 1 flows"
