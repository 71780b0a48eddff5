"""Writing a file the user named (a report, a lock file) without ever following a symlink.

A symlink planted where cxops writes (``cxops.lock -> ~/.bashrc``) must not redirect the write
(issue #15). The data goes to a temporary file created with ``O_EXCL`` in the same folder, and
``os.replace`` moves it over the name: ``rename(2)`` replaces a symlink itself, never its target,
so even a link planted between the check and the rename is not followed. A name that already is
a symlink is refused outright, so the user learns about it instead of losing the link silently.
Writes inside an export repository go through ``cxops.sinks.git.files`` (which also keeps every
path inside the repository).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cxops.errors import ConfigError

__all__ = ["write_file"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def write_file(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically; ConfigError if ``path`` is a symlink or unusable.

    >>> import tempfile, pathlib                                   # doctest: +SKIP
    >>> write_file(pathlib.Path(tempfile.mkdtemp()) / "report.txt", "ok\\n")
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and not path.is_file() and not path.is_dir():
        # A device or a pipe (``--output /dev/stdout``): nothing a link could redirect to a file.
        with path.open("wb") as stream:
            stream.write(raw)
        return
    if path.is_symlink():
        raise ConfigError(
            f"refusing to write {path}: it is a symbolic link",
            hint="remove the link or name another file; cxops never writes through links",
        )
    tmp = path.parent / f".cxops-{secrets.token_hex(8)}.tmp"
    try:
        # O_EXCL: never an existing file or link; mode 0o666 so the umask decides, as for any
        # file the user's shell would create.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="check that the folder exists and is writable",
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="check that the path names a file in a writable folder",
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
