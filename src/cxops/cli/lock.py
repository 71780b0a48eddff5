"""``cxops lock [PATH] [--check]``: write or verify ``cxops.lock`` for an export repository."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from cxops.analysis.incremental import keep_stamps
from cxops.analysis.lock import LOCK_FILE, build_lock, dumps_lock, loads_lock, lock_drift
from cxops.cli.common import Output, output_options
from cxops.cli.validate import discover, read_bundle
from cxops.errors import InputError
from cxops.model.errors import ModelError
from cxops.safefile import write_file


@output_options("text", "json", report=True)
def lock(
    path: Path = typer.Argument(Path("."), help="Export repository, project folder or bundle."),
    check: bool = typer.Option(
        False, "--check", help="Compare the lock with the bundles; exit 1 on drift."
    ),
    lock_file: Path | None = typer.Option(
        None, "--lock", help="Lock file (default: PATH/cxops.lock)."
    ),
    *,
    out: Output,
) -> None:
    """Write cxops.lock: every flow and dependency with its version and content hash.

    With --check, report drift between the lock and the bundles instead (exit 1 if any).
    Example: cxops lock --check
    """
    target = lock_file or ((path if path.is_dir() else path.parent) / LOCK_FILE)
    current = build_lock([read_bundle(s) for s in discover(path)])
    console = out.console()
    if not check:
        readable = not target.is_symlink() and target.is_file()
        previous = target.read_text(encoding="utf-8", errors="replace") if readable else None
        # The vendor change stamps an incremental export recorded stay where content did not move.
        text = dumps_lock(keep_stamps(current, previous))
        unchanged = previous == text
        if not unchanged:
            write_file(target, text)
        status = "unchanged" if unchanged else "written"
        if out.json:
            out.document(
                {
                    "lock": str(target),
                    "status": status,
                    "flows": len(current["flow"]),
                    "dependencies": len(current["dependency"]),
                }
            )
        else:
            console.print(
                f"{escape(str(target))} {status}: {len(current['flow'])} flow(s), "
                f"{len(current['dependency'])} dependency(ies)"
            )
        return
    if not target.exists():
        raise InputError(f"{target} does not exist", hint="create it with `cxops lock`")
    try:
        locked = loads_lock(target.read_text(encoding="utf-8"))
    except ModelError as exc:
        raise InputError(f"{target}: {exc.message}", hint=exc.hint) from None
    drift = lock_drift(locked, current)
    if out.json:
        out.document({"lock": str(target), "drift": [d.to_dict() for d in drift]}, indent=2)
    elif drift:
        for d in drift:
            console.print(escape(d.describe()))
        console.print(
            f"[bold red]{len(drift)} difference(s)[/] between {escape(str(target))} and the bundles"
        )
    else:
        console.print(f"{escape(str(target))} matches the bundles")
    if drift:
        raise typer.Exit(1)
