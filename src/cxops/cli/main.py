"""The one error handler: every way a command can end is mapped to an exit code of CLI.md.

0 success · 1 problems found (findings, failed gate, rollback) · 2 usage or configuration ·
3 vendor or network failed after retries · 4 unexpected error (a bug; the traceback goes to a file).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cxops.errors import CxopsError
from cxops.logs import JsonFormatter, redact, redact_secrets, terminal_safe
from cxops.model.errors import ModelError

if TYPE_CHECKING:
    from typer.exceptions import TyperException

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


#: The width of ``--help`` off a terminal: every option's name and help fit without a cut.
HELP_WIDTH = 120


def _wants_help(args: Sequence[str]) -> bool:
    return not args or "--help" in args or "-h" in args


def _say(text: str) -> None:
    # Registered secrets and URL passwords only: the credential *patterns* of logs.redact would
    # garble cxops' own hints (``write client_secret = "env:NAME"``); vendor text inside a
    # message was pattern-redacted where it was quoted (transport.vendor_errors).
    sys.stderr.write(terminal_safe(redact_secrets(text)) + "\n")


def _log_json(args: Sequence[str]) -> bool:
    """Whether errors go to stderr as JSON lines: ``--log-format json`` or CXOPS_LOG_FORMAT."""
    for i, arg in enumerate(args):
        if arg == "--log-format=json" or (
            arg == "--log-format" and i + 1 < len(args) and args[i + 1] == "json"
        ):
            return True
        if arg.startswith("--log-format"):
            return False
    return os.environ.get("CXOPS_LOG_FORMAT", "").strip().lower() == "json"


def _json_requested(args: Sequence[str]) -> bool:
    # cxops.cli.common is imported only here and by the commands: `cxops --version` skips it.
    from cxops.cli.common import json_requested

    return json_requested(args)


def _fail(args: Sequence[str], message: str, hint: str | None, code: int) -> int:
    """Report an error and return its exit code: ``error:``/``hint:`` lines on stderr (JSON lines
    under ``--log-format json``) and, when the command line asked for JSON, the one document
    ``{"error", "hint", "exit"}`` on stdout (nothing else reaches stdout)."""
    message = redact_secrets(message)
    hint = redact_secrets(hint) if hint else None
    if _log_json(args):
        record = logging.LogRecord("cxops", logging.ERROR, __file__, 0, message, None, None)
        record.hint = hint
        record.exit = code
        sys.stderr.write(JsonFormatter().format(record) + "\n")
    else:
        _say(f"error: {message}")
        if hint:
            _say(f"hint: {hint}")
    if _json_requested(args):
        doc = {"error": message, "hint": hint, "exit": code}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return code


def _usage(exc: TyperException) -> tuple[str, str]:
    """A click/typer usage error as a message and a hint naming the usage and --help."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message, "see `cxops --help`"
    usage = ctx.get_usage().removeprefix("Usage: ").strip()
    return message, f"usage: {usage} (see `{ctx.command_path} --help`)"


def _write_crash_log() -> str:
    fd, path = tempfile.mkstemp(prefix="cxops-crash-", suffix=".log")
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(redact(traceback.format_exc()))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (``cxops`` calls ``sys.exit`` with it)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    if args == ["--version"]:  # answered before Typer is imported (issue #16: well under 0.5 s)
        from cxops._version import __version__

        sys.stdout.write(f"cxops {__version__}\n")
        return EXIT_OK
    import typer
    from typer.exceptions import TyperException

    from cxops.cli.app import app, register_for

    debug = "debug" in args
    if "cxops.cli.common" in sys.modules:  # in-process callers run several commands
        sys.modules["cxops.cli.common"].reset()
    if _wants_help(args) and not sys.stdout.isatty() and not os.environ.get("TERMINAL_WIDTH"):
        # Typer's help assumes 80 columns off a terminal and cuts option names ("--override-
        # active-s…"); piped help is read in full (issue #16).
        from typer import rich_utils

        rich_utils.MAX_WIDTH = HELP_WIDTH
    try:
        register_for(args)
        result = app(
            args=list(argv) if argv is not None else None, standalone_mode=False, prog_name="cxops"
        )
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", EXIT_OK))
    except SystemExit as exc:  # shell completion (--show-completion, a TAB) ends with sys.exit
        return exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else EXIT_BUG
    except typer.Abort:
        _say("Aborted.")
        return 130
    except TyperException as exc:  # typer's click: bad option, unknown command, missing argument
        message, hint = _usage(exc)
        return _fail(args, message, hint, EXIT_USAGE)
    except CxopsError as exc:
        if debug:
            logging.getLogger("cxops").exception("command failed")
        return _fail(args, exc.message, exc.hint, exc.exit_code)
    except ModelError as exc:  # a model refusal no room translated: still the input's fault
        if debug:
            logging.getLogger("cxops").exception("command failed")
        return _fail(args, exc.message, exc.hint, EXIT_FOUND)
    except OSError as exc:
        if exc.errno not in _ENVIRONMENT_ERRNOS:
            return _crash(args, exc, debug)
        # A port in use, a path under a file, a folder that is read-only: the user's machine
        # or command line, not a bug (issue #15).
        if debug:
            logging.getLogger("cxops").exception("command failed")
        where = f": {exc.filename}" if exc.filename else ""
        hint = "check the paths and ports given on the command line and their permissions"
        return _fail(args, f"{exc.strerror or exc}{where}", hint, EXIT_USAGE)
    except KeyboardInterrupt:
        _say("Interrupted.")
        return 130
    except Exception as exc:
        return _crash(args, exc, debug)
    return result if isinstance(result, int) else EXIT_OK


def _crash(args: Sequence[str], exc: BaseException, debug: bool) -> int:
    path = _write_crash_log()
    if debug:
        traceback.print_exc()
    return _fail(
        args,
        f"unexpected error (a bug in cxops): {type(exc).__name__}: {exc}",
        f"the full traceback is in {path} (please attach it to a bug report)",
        EXIT_BUG,
    )


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(main())
