"""Safe file writes inside a repository: every path is checked to stay inside, then written
atomically (temporary file in the same folder + ``os.replace``).

A path is refused when it is not a relative POSIX path (absolute, drive letters, backslashes),
holds a NUL or a ``..``/``.`` segment, names something inside ``.git``, or resolves (symlinks
followed) outside the repository. Flow and project ids never reach here raw: ``model.layout``
percent-encodes them, so ``../../x`` as an id is just an odd file name. The check guards what
is not encoded (extra files, a tampered layout) and symlinks planted in the work tree.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from cxops.errors import InputError

__all__ = ["TEMP_PREFIX", "atomic_write", "safe_path"]

#: Temporary files start with this; ``write_bundle`` deletes strays a killed run left.
TEMP_PREFIX = ".cxops-"


def _refuse(rel: object, why: str) -> InputError:
    return InputError(
        f"refusing to write {rel!r} in the export repository: {why}",
        hint="file names come from vendor ids; this one would leave the repository",
    )


def safe_path(root: Path, rel: str) -> Path:
    """The absolute path of ``rel`` under ``root``, or an InputError naming why it is unsafe."""
    if not isinstance(rel, str) or not rel:
        raise _refuse(rel, "not a non-empty string")
    if "\0" in rel:
        raise _refuse(rel, "it holds a NUL character")
    if "\\" in rel or rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        raise _refuse(rel, "not a relative POSIX path")
    parts = PurePosixPath(rel).parts
    if any(p in ("..", ".") for p in rel.split("/")) or not parts:
        raise _refuse(rel, "it has '.' or '..' segments")
    if parts[0].casefold() == ".git":
        raise _refuse(rel, "it is inside .git")
    base = root.resolve()
    target = (base / rel).resolve()
    if target == base or not target.is_relative_to(base):
        raise _refuse(rel, "it resolves outside the repository")
    if target.relative_to(base).parts[0].casefold() == ".git":
        raise _refuse(rel, "it resolves inside .git")
    return target


def atomic_write(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; True when written.

    The bytes go to a temporary file in the same folder first, so a crash leaves either the
    old file or the new one, never half of one.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
