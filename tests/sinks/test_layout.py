"""Readable file names in an export repository (layout 2, issue #16), and the migration of a
repository written with id-based names (layout 1): one commit of renames, history kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cxops.analysis.lock import build_lock
from cxops.model.bundle import Bundle, Flow, Node
from cxops.model.canonical import content_hash
from cxops.model.layout import bundle_files, flow_file_name, flow_file_names, project_dir
from cxops.pipelines.repo import commit_run, migrate_layout
from cxops.sinks.git import GitRepo
from cxops.sinks.git.layout import place, write_files

PROJECT_ID = "2646d831cf6bc550b9f53603"  # Cognigy ids say nothing to a person
BASE = "flows/cognigy/appointment-booking"


def _flow(fid: str, name: str, text: str = "hello") -> Flow:
    nodes = [Node(id="a", type="say", properties={"text": text}), Node(id="b", type="end")]
    return Flow(id=fid, name=name, kind="cognigy.flow", entry=["a"], nodes=nodes)


def _bundle(*flows: Flow, project: str = PROJECT_ID, name: str = "Appointment Booking") -> Bundle:
    props = {"project": {"_id": project, "name": name}}
    return Bundle(vendor="cognigy", tenant="dev", project=project, flows=list(flows),
                  properties=props)  # fmt: skip


FLOWS = (
    _flow("53246483-5a7b-5373-052e-bacadf5cd9f5", "Main"),
    _flow("32b99a92-ef04-e2ee-a7c6-006f740c98fb", "Cancel Contract"),
    _flow("d30643ea-3d58-bc81-0168-fbd43ce790a0", "FAQ"),
    _flow("ea34aabb-95f4-fcea-c332-bef2d1c71ae1", "faq"),
)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _layout_one(tmp_path: Path, bundle: Bundle) -> GitRepo:
    """A repository as cxops wrote it before issue #16: the folder and files named by ids."""
    repo = GitRepo.open_or_init(tmp_path / "repo")
    legacy = project_dir(bundle.vendor, bundle.project)
    ids = {name: fid for fid, name in flow_file_names(bundle.flows).items()}
    for rel, data in bundle_files(bundle, folder=legacy).items():
        name = rel.rpartition("/")[2]
        old = name if name == "_bundle.json" else flow_file_name(ids[name])
        repo.write_file(f"{legacy}/{old}", data)
    repo.write_lock()
    assert repo.commit("export (layout 1)") is not None
    return repo


def test_a_layout_one_repository_migrates_in_one_commit_of_renames(tmp_path: Path) -> None:
    """Migration: one commit, every change a 100% rename; names readable (the id only where
    "FAQ" and "faq" clash); `git log --follow` crosses it; content hashes and the lock stay;
    a second run is a no-op."""
    bundle = _bundle(*FLOWS)
    repo = _layout_one(tmp_path, bundle)
    before_hash = content_hash(repo.read_bundles()[0])
    lock_before = (repo.root / "cxops.lock").read_bytes()
    commits = int(_git(repo.root, "rev-list", "--count", "HEAD"))

    sha = migrate_layout(repo)

    assert sha is not None and int(_git(repo.root, "rev-list", "--count", "HEAD")) == commits + 1
    status = _git(repo.root, "show", "-M", "--name-status", "--format=", sha).split("\n")
    rows = [r.split("\t") for r in status if r]
    assert rows and all(r[0] == "R100" for r in rows), rows
    assert {r[2] for r in rows} == {
        f"{BASE}/_bundle.json",
        f"{BASE}/main.json",
        f"{BASE}/cancel-contract.json",
        f"{BASE}/faq--d30643ea-3d58-bc81-0168-fbd43ce790a0.json",
        f"{BASE}/faq--ea34aabb-95f4-fcea-c332-bef2d1c71ae1.json",
    }
    assert "Cxops-Layout: 2" in _git(repo.root, "log", "-1", "--format=%B")
    followed = _git(repo.root, "log", "--follow", "--format=%s", "--", f"{BASE}/main.json")
    assert followed.splitlines() == [
        "cxops: readable flow and project file names",
        "export (layout 1)",
    ]
    assert content_hash(repo.read_bundles()[0]) == before_hash
    assert (repo.root / "cxops.lock").read_bytes() == lock_before
    assert build_lock(repo.read_bundles()) == build_lock([bundle])
    assert repo.read_bundle("cognigy", PROJECT_ID) is not None
    assert migrate_layout(repo) is None  # nothing left to move
    assert _git(repo.root, "status", "--porcelain") == ""


def test_an_export_into_a_layout_one_repository_renames_in_its_commit(tmp_path: Path) -> None:
    """Without the migration commit (the export's own write): the commit records the project's
    moves as renames and the changed flow as a change; nothing of layout 1 is left."""
    repo = _layout_one(tmp_path, _bundle(*FLOWS))
    changed = _bundle(FLOWS[0], _flow(FLOWS[1].id, "Cancel Contract", "changed"), *FLOWS[2:])
    changes = repo.write_bundle(changed)
    assert (changes.added, changes.changed, changes.removed) == ([], [FLOWS[1].id], [])
    done = commit_run(repo, "run-1", "export", [("cognigy", PROJECT_ID)], [], [])
    rows = _git(repo.root, "show", "-M", "--name-status", "--format=", done["commit"]).split("\n")
    kinds = {r.split("\t")[-1]: r.split("\t")[0] for r in rows if r}
    assert kinds[f"{BASE}/main.json"] == "R100"
    assert kinds[f"{BASE}/cancel-contract.json"].startswith("R")
    assert not (repo.root / project_dir("cognigy", PROJECT_ID)).exists()
    assert _git(repo.root, "status", "--porcelain") == ""


def test_projects_sharing_a_name_and_a_renamed_project(tmp_path: Path) -> None:
    """Two projects called "Sales": the first keeps `sales`, the second carries its id; a
    project renamed at the vendor moves its folder (a rename in the commit), and the name it
    left is the other's again."""
    repo = GitRepo.open_or_init(tmp_path / "repo")
    first = _bundle(FLOWS[0], project="p-1", name="Sales")
    second = _bundle(FLOWS[1], project="p-2", name="SALES")
    repo.write_bundle(first)
    repo.write_bundle(second)
    assert sorted(p.name for p in (repo.root / "flows" / "cognigy").iterdir()) == [
        "sales",
        "sales--p-2",
    ]
    commit_run(repo, "run-1", "export", [("cognigy", "p-1"), ("cognigy", "p-2")], [], [])
    renamed = _bundle(FLOWS[0], project="p-1", name="Sales EMEA")
    repo.write_bundle(renamed)
    done = commit_run(repo, "run-2", "export", [("cognigy", "p-1")], [], [])
    rows = _git(repo.root, "show", "-M", "--name-status", "--format=", done["commit"]).split("\n")
    assert sorted(r.split("\t")[2] for r in rows if r) == [
        "flows/cognigy/sales-emea/_bundle.json",
        "flows/cognigy/sales-emea/main.json",
    ]
    kinds = {r.split("\t")[2]: r.split("\t")[0] for r in rows if r}
    assert kinds["flows/cognigy/sales-emea/main.json"] == "R100"  # _bundle.json has the name
    assert kinds["flows/cognigy/sales-emea/_bundle.json"].startswith("R")
    # "Sales" is free now: the other project's next write drops its id from the folder.
    assert place(repo.root, second) == ("flows/cognigy/sales", ["flows/cognigy/sales--p-2"])


def test_compile_and_resolve_write_where_the_export_put_the_project(tmp_path: Path) -> None:
    """Writing without git (compile, resolve) into a layout-1 folder moves it, no duplicate."""
    repo = _layout_one(tmp_path, _bundle(*FLOWS))
    files, written = write_files(repo.root, _bundle(*FLOWS))
    assert written == [] and all(rel.startswith(f"{BASE}/") for rel in files)
    assert sorted(p.name for p in (repo.root / "flows" / "cognigy").iterdir()) == [
        "appointment-booking"
    ]
