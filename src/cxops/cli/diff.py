"""``cxops diff A B``: semantic diff of two bundles, folders or git revisions (``REV:path``).

Git access stays here (the ``git`` command through subprocess): a revision is exported with
``git archive`` into a temporary folder and read like any folder. A revision comes from the
command line, so it is never handed to git where an option could stand: it is resolved to a
tree id with ``rev-parse --verify --end-of-options`` first, and only that id reaches
``git archive`` (after ``--end-of-options`` too). ``--output=/any/file:x`` is thus an unknown
revision, not an instruction to git (issue #15).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from cxops.analysis.diff import Diff, diff_bundles
from cxops.analysis.names import change_line
from cxops.cli.common import Output, output_options
from cxops.cli.validate import discover, read_bundle
from cxops.errors import InputError, UsageError
from cxops.logs import terminal_safe
from cxops.model.bundle import Bundle

_RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git to diff revisions") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        if not message and "--verify" in args:
            message = f"unknown revision {args[-1].removesuffix('^{tree}')!r}"
        raise UsageError(f"git {args[0]}: {message}", hint="check the revision and path (REV:path)")
    return done.stdout


def _tree_id(rev: str, root: Path) -> str:
    """The tree id a revision names, or a UsageError; the revision never reads as an option."""
    if not rev or rev.startswith("-"):
        raise UsageError(
            f"{rev!r} is not a revision",
            hint="write REV:path with a branch, tag or commit, e.g. HEAD~1:flows",
        )
    out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{tree}}"], root)
    tree = out.decode("ascii", "replace").strip()
    if len(tree) not in (40, 64) or not all(c in "0123456789abcdef" for c in tree):
        raise UsageError(f"git gave no tree for {rev!r}")  # pragma: no cover - git's contract
    return tree


@contextmanager
def materialize(spec: str) -> Iterator[tuple[Path, str]]:
    """A readable path for a file, folder or ``REV:path`` spec, and a label for it."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        yield path, spec
        return
    rev, _, inner = spec.partition(":")
    root = Path(_git(["rev-parse", "--show-toplevel"], Path.cwd()).decode().strip())
    prefix = Path.cwd().resolve().relative_to(root.resolve()).as_posix()
    target = inner if inner.startswith("/") else f"{prefix}/{inner}".lstrip("./") or "."
    target = target.lstrip("/") or "."
    tree = _tree_id(rev, root)
    # After --end-of-options every argument is a tree-ish or a path (git archive takes no
    # "--" there: it would be a pathspec).
    data = _git(["archive", "--format=tar", "--end-of-options", tree, target], root)
    with tempfile.TemporaryDirectory(prefix="cxops-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / target, spec


def _bundles(path: Path) -> dict[tuple[str, str], Bundle]:
    out: dict[tuple[str, str], Bundle] = {}
    for source in discover(path):
        bundle = read_bundle(source)
        out[(bundle.vendor, bundle.project)] = bundle
    return out


def compare(a: str, b: str) -> dict[str, Any]:
    """Diff every bundle of ``a`` against the bundle of the same vendor project in ``b``."""
    with materialize(a) as (pa, _), materialize(b) as (pb, _):
        before, after = _bundles(pa), _bundles(pb)
    if not before or not after:
        raise InputError("nothing to compare")
    if len(before) == 1 and len(after) == 1:
        # One bundle each side (e.g. the same project on dev and prod): compare them as a pair.
        key = next(iter(after))
        before = {key: next(iter(before.values()))}
    results: list[dict[str, Any]] = []
    overall = "none"
    reasons: list[str] = []
    for key in sorted(set(before) | set(after)):
        vendor, project = key
        if key not in after:
            bump, diff = "major", None
            why = [f"major: bundle {vendor}/{project} was removed"]
        elif key not in before:
            bump, diff = "minor", None
            why = [f"minor: bundle {vendor}/{project} was added"]
        else:
            diff = diff_bundles(before[key], after[key])
            bump, why = diff.bump, diff.reasons
        names = {f.id: f.name for b in (before.get(key), after.get(key)) if b for f in b.flows}
        results.append(
            {
                "flow_names": names,
                "vendor": vendor,
                "project": project,
                "bump": bump,
                "reasons": why,
                **({"diff": diff.to_dict()} if isinstance(diff, Diff) else {}),
            }
        )
        if _RANK[bump] > _RANK[overall]:
            overall = bump
        reasons += [r for r in why if r != "no changes"]
    return {"a": a, "b": b, "bump": overall, "reasons": reasons, "bundles": results}


@output_options("text", "json", report=True)
def diff(
    a: str = typer.Argument(..., help="Before: a bundle file, a folder, or REV:path."),
    b: str = typer.Argument(..., help="After: a bundle file, a folder, or REV:path."),
    *,
    out: Output,
) -> None:
    """Show what changed between two bundles (flows, nodes, edges, refs) and the semver bump.

    Example: cxops diff v1.2.0:flows flows --format json
    """
    result = compare(a, b)
    if out.json:
        out.document(result, indent=2)
        return
    console = out.console()
    for item in result["bundles"]:
        console.print(
            f"[bold]{escape(terminal_safe(item['vendor']))}/"
            f"{escape(terminal_safe(item['project']))}[/]: {item['bump']}"
        )
        for change in (item.get("diff") or {}).get("changes", []):
            console.print(f"  {escape(terminal_safe(change_line(change)))}", soft_wrap=True)
    console.print(f"suggested bump: [bold]{result['bump']}[/]")
    for reason in result["reasons"]:
        console.print(f"  {escape(terminal_safe(reason))}", style="dim")
