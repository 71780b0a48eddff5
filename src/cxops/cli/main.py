"""The one error handler: every way a command can end is mapped to an exit code of CLI.md.

0 success · 1 problems found (findings, failed gate, rollback) · 2 usage or configuration ·
3 vendor or network failed after retries · 4 unexpected error (a bug; the traceback goes to a file).
"""

from __future__ import annotations

import errno
import logging
import sys
import tempfile
import traceback
from collections.abc import Sequence

import typer
from typer.exceptions import TyperException

from cxops.errors import CxopsError
from cxops.logs import redact, redact_secrets, terminal_safe
from cxops.model.errors import ModelError

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_VENDOR, EXIT_BUG = 0, 1, 2, 3, 4

#: OS errors that describe the user's environment (exit 2), not a bug in cxops.
_ENVIRONMENT_ERRNOS = frozenset(
    {
        errno.EADDRINUSE,
        errno.EADDRNOTAVAIL,
        errno.EACCES,
        errno.EPERM,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.EROFS,
        errno.ENAMETOOLONG,
        errno.ENOSPC,
        errno.ELOOP,
    }
)


def _say(text: str) -> None:
    # Registered secrets and URL passwords only: the credential *patterns* of logs.redact would
    # garble cxops' own hints (``write client_secret = "env:NAME"``); vendor text inside a
    # message was pattern-redacted where it was quoted (transport.vendor_errors).
    sys.stderr.write(terminal_safe(redact_secrets(text)) + "\n")


def _write_crash_log() -> str:
    fd, path = tempfile.mkstemp(prefix="cxops-crash-", suffix=".log")
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(redact(traceback.format_exc()))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (``cxops`` calls ``sys.exit`` with it)."""
    from cxops.cli.app import app, register_for

    args = list(argv) if argv is not None else sys.argv[1:]
    debug = "debug" in args
    try:
        register_for(args)
        result = app(
            args=list(argv) if argv is not None else None, standalone_mode=False, prog_name="cxops"
        )
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", EXIT_OK))
    except typer.Abort:
        _say("Aborted.")
        return 130
    except TyperException as exc:  # typer's click: bad option, unknown command, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            _say(f"error: {exc}")
        return EXIT_USAGE
    except CxopsError as exc:
        if debug:
            logging.getLogger("cxops").exception("command failed")
        _say(f"error: {exc.message}")
        if exc.hint:
            _say(f"hint: {exc.hint}")
        return exc.exit_code
    except ModelError as exc:  # a model refusal no room translated: still the input's fault
        if debug:
            logging.getLogger("cxops").exception("command failed")
        _say(f"error: {exc.message}")
        if exc.hint:
            _say(f"hint: {exc.hint}")
        return EXIT_FOUND
    except OSError as exc:
        if exc.errno not in _ENVIRONMENT_ERRNOS:
            return _crash(exc, debug)
        # A port in use, a path under a file, a folder that is read-only: the user's machine
        # or command line, not a bug (issue #15).
        if debug:
            logging.getLogger("cxops").exception("command failed")
        where = f": {exc.filename}" if exc.filename else ""
        _say(f"error: {exc.strerror or exc}{where}")
        _say("hint: check the paths and ports given on the command line and their permissions")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("Interrupted.")
        return 130
    except Exception as exc:
        return _crash(exc, debug)
    return result if isinstance(result, int) else EXIT_OK


def _crash(exc: BaseException, debug: bool) -> int:
    path = _write_crash_log()
    _say(f"unexpected error (a bug in cxops): {type(exc).__name__}: {exc}")
    _say(f"the full traceback is in {path} (please attach it to a bug report)")
    if debug:
        traceback.print_exc()
    return EXIT_BUG


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(main())
