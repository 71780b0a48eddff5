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
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from cxops.analysis.diff import Diff, diff_bundles
from cxops.analysis.names import change_line, project_name, quoted
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


def _bundles(path: Path) -> list[Bundle]:
    return [read_bundle(source) for source in discover(path)]


class By(StrEnum):
    name = "name"
    id = "id"


def _portable(bundle: Bundle) -> Bundle:
    """The bundle as the promote plan compares it: tenant-local ids replaced by what both
    environments share (the vendor strategy's ``portable``: Genesys flows by ``<TYPE>/<name>``,
    Cognigy without its ``_id`` lists, CXone without save stamps)."""
    from cxops.pipelines.promote.strategy import Context, strategy_for

    params = {"connections": {"target": {"vendor": bundle.vendor}}}
    try:
        how = strategy_for(Context(run_id="diff", params=params))
    except UsageError:  # a vendor promote does not know: its ids are all there is
        return bundle
    return how.portable(bundle)


def _keyed(bundles: list[Bundle], by: By) -> dict[tuple[str, str], Bundle]:
    if by is By.id:
        return {(x.vendor, x.project): x for x in bundles}
    return {(x.vendor, project_name(x)): _portable(x) for x in bundles}


def choose(before: list[Bundle], after: list[Bundle], by: By | None) -> tuple[By, str]:
    """``--by`` given, or name when the two sides come from different tenants (their ids
    differ though the content may not), else id; and why, in words."""
    if by is not None:
        return by, f"--by {by.value}"
    if {x.tenant for x in before} != {x.tenant for x in after}:
        return By.name, "the two sides come from different tenants; --by id compares ids"
    return By.id, "both sides come from the same tenants; --by name compares names"


def compare(a: str, b: str, by: By | None = None) -> dict[str, Any]:
    """Diff every bundle of ``a`` against the bundle of the same vendor project in ``b``: by
    ids, or by names (project name, portable flow keys) when ``by`` says so (see :func:`choose`).
    """
    with materialize(a) as (pa, _), materialize(b) as (pb, _):
        found_a, found_b = _bundles(pa), _bundles(pb)
    if not found_a or not found_b:
        raise InputError("nothing to compare")
    mode, why_mode = choose(found_a, found_b, by)
    before, after = _keyed(found_a, mode), _keyed(found_b, mode)
    if len(before) == 1 and len(after) == 1:
        # One bundle each side (e.g. the same project on dev and prod): compare them as a pair.
        key = next(iter(after))
        before = {key: next(iter(before.values()))}
    results: list[dict[str, Any]] = []
    overall = "none"
    reasons: list[str] = []
    for key in sorted(set(before) | set(after)):
        vendor = key[0]
        either = after.get(key) or before[key]
        name = project_name(either)
        if key not in after:
            bump, diff = "major", None
            why = [f"major: {vendor} project '{name}' was removed"]
        elif key not in before:
            bump, diff = "minor", None
            why = [f"minor: {vendor} project '{name}' was added"]
        else:
            diff = diff_bundles(before[key], after[key])
            bump, why = diff.bump, diff.reasons
        names = {f.id: f.name for b in (before.get(key), after.get(key)) if b for f in b.flows}
        results.append(
            {
                "flow_names": names,
                "vendor": vendor,
                "project": either.project,
                "project_name": name,
                "bump": bump,
                "reasons": why,
                **({"diff": diff.to_dict()} if isinstance(diff, Diff) else {}),
            }
        )
        if _RANK[bump] > _RANK[overall]:
            overall = bump
        reasons += [r for r in why if r != "no changes"]
    return {
        "a": a,
        "b": b,
        "by": mode.value,
        "by_reason": why_mode,
        "bump": overall,
        "reasons": reasons,
        "bundles": results,
    }


@output_options("text", "json", report=True)
def diff(
    a: str = typer.Argument(..., help="Before: a bundle file, a folder, or REV:path."),
    b: str = typer.Argument(..., help="After: a bundle file, a folder, or REV:path."),
    by: By | None = typer.Option(
        None,
        "--by",
        help="Pair projects and flows by 'name' (project name and the promote plan's portable "
        "keys: what two environments share) or by 'id'. Default: name when the two sides come "
        "from different tenants, else id.",
    ),
    *,
    out: Output,
) -> None:
    """Show what changed between two bundles (flows, nodes, edges, refs) and the semver bump.

    Two environments' exports (dev and prod) are compared by names, as the promote plan does,
    so the bump reflects content, not ids that differ between tenants.

    Example: cxops diff v1.2.0:flows flows --format json

    Example: cxops diff prod-repo/flows dev-repo/flows --by name
    """
    result = compare(a, b, by)
    if out.json:
        out.document(result, indent=2)
        return
    console = out.console()
    console.print(
        f"compared by {result['by']} ({result['by_reason']})", style="dim", soft_wrap=True
    )
    for item in result["bundles"]:
        head = f"{item['vendor']} project {quoted(item['project_name'])}"
        console.print(f"[bold]{escape(terminal_safe(head))}[/]: {item['bump']}", soft_wrap=True)
        for change in (item.get("diff") or {}).get("changes", []):
            console.print(f"  {escape(terminal_safe(change_line(change)))}", soft_wrap=True)
    console.print(f"suggested bump: [bold]{result['bump']}[/]")
    for reason in result["reasons"]:
        console.print(f"  {escape(terminal_safe(reason))}", style="dim", soft_wrap=True)
