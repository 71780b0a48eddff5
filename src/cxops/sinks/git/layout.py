"""Where a project lives in an export repository's work tree, and moving it there.

``cxops.model.layout`` names a project's folder and its flow files (layout 2: readable names,
the id only where two names clash). This module applies that to a real work tree: it finds the
folder that holds a project (by the ``project`` of each ``_bundle.json``, whatever the folder is
called), decides the folder's name against the repository's other projects (the first project
called "Sales" is ``sales``, a second one ``sales--<id>``), and moves what the repository holds
of the project (a layout-1 folder named by the id, a folder under a former project name, flow
files under former names) to where layout 2 puts it. Plain renames inside the repository: a
commit of the old and the new paths records them as renames (the bytes are unchanged), so
``git log --follow`` crosses them. Every path is checked by :func:`safe_path` first.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cxops.errors import InputError
from cxops.model.bundle import Bundle
from cxops.model.errors import ModelError
from cxops.model.layout import (
    BUNDLE_FILE,
    bundle_dir,
    bundle_files,
    flow_file_names,
    flow_id_from_file_name,
    vendor_dir,
)
from cxops.model.parse import parse_json
from cxops.sinks.git.files import atomic_write, safe_path

__all__ = ["place", "stored_folders", "stored_id", "stored_project", "write_files"]


def _field(path: Path, key: str) -> str | None:
    try:
        value = parse_json(path.read_bytes()).get(key)
    except (OSError, ModelError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def stored_id(path: Path) -> str:
    """The id of the flow stored in ``path`` (its ``id`` field; from a layout-1 name when the
    file cannot be read)."""
    return _field(path, "id") or flow_id_from_file_name(path.name)


@lru_cache(maxsize=4096)
def _project_of(path: Path, mtime_ns: int, size: int) -> str | None:
    return _field(path, "project")


def stored_project(meta: Path) -> str | None:
    """The project key a ``_bundle.json`` names (remembered while the file is unchanged: every
    write of a project looks at the repository's other projects)."""
    try:
        st = meta.stat()
    except OSError:
        return None
    return _project_of(meta, st.st_mtime_ns, st.st_size)


def stored_folders(root: Path, vendor: str) -> dict[str, str]:
    """Project key → its folder (relative, ``/``-separated) for every project of ``vendor`` in
    the work tree (a folder whose ``_bundle.json`` cannot be read is left out)."""
    out: dict[str, str] = {}
    for meta in sorted((root / vendor_dir(vendor)).glob(f"*/{BUNDLE_FILE}")):
        if meta.is_symlink() or meta.parent.is_symlink():
            continue
        project = stored_project(meta)
        if project is not None:
            out.setdefault(project, meta.parent.relative_to(root).as_posix())
    return out


def _rename(root: Path, old: str, new: str) -> None:
    source, target = safe_path(root, old), safe_path(root, new)
    try:
        if source.resolve() == target.resolve() or old.casefold() == new.casefold():
            # Same entry on a case-insensitive file system: through a temporary name.
            step = source.with_name(f".cxops-move-{source.name}")
            source.rename(step)
            step.rename(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
    except OSError as exc:
        raise InputError(
            f"cannot move {old!r} to {new!r} in the export repository: {exc.strerror or exc}",
            hint="check the repository's file system, or move the folder by hand",
        ) from None


def place(root: Path, bundle: Bundle) -> tuple[str, list[str]]:
    """The folder of ``bundle`` in this work tree, after moving there what the repository holds
    of its project; returns the folder and the former folder when the project moved (a commit
    names both; a flow file renamed inside the folder is staged with the folder).

    The folder is the project's name (:func:`bundle_dir`), with its id when another project of
    the repository already has that name (compared case-folded) or a folder of that name holds
    no project at all.
    """
    held = stored_folders(root, bundle.vendor)
    taken = {f.rsplit("/", 1)[1].casefold() for p, f in held.items() if p != bundle.project}
    want = bundle_dir(bundle)
    old = held.get(bundle.project)
    name = want.rsplit("/", 1)[1]
    foreign = safe_path(root, want).exists() and (old is None or old.casefold() != want.casefold())
    if name.casefold() in taken or foreign:
        want = bundle_dir(bundle, clash=True)
    moved: list[str] = []
    if old is not None and old != want:
        _rename(root, old, want)
        moved.append(old)
    folder = safe_path(root, want)
    if folder.is_dir():
        names = flow_file_names(bundle.flows)
        wanted = set(names.values())
        for path in sorted(folder.glob("*.json")):
            if path.name in wanted or path.name == BUNDLE_FILE or path.is_symlink():
                continue
            new = names.get(stored_id(path))
            if new is not None and not (folder / new).exists():
                _rename(root, f"{want}/{path.name}", f"{want}/{new}")  # staged with the folder
    return want, moved


def write_files(root: Path, bundle: Bundle) -> tuple[dict[str, bytes], list[str]]:
    """Write the bundle's files where layout 2 puts them in this work tree (:func:`place`),
    without git (``cxops compile`` and ``resolve`` write into a folder that may be an export
    repository); the files by path, and the paths whose bytes changed."""
    base, _moved = place(root, bundle)
    files = bundle_files(bundle, folder=base)
    written = [rel for rel, data in files.items() if atomic_write(safe_path(root, rel), data)]
    return files, written
