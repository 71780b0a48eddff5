"""The flag language every command shares (issue #16; /work/shared/CLI.md "Conventions").

- ``--format`` with the formats that make sense for the command (text, json, sarif, junit,
  prometheus, jsonl), and ``--json``, the same as ``--format json``, on every command with output;
- ``-o/--output FILE`` on every command that writes a report: the report goes to FILE instead of
  stdout (written whole, never through a symlink) and one line on stderr says what was written;
- lists: a repeatable option whose values may also be separated by commas (:func:`split`);
- :func:`console`: rich output that is cut at no width when it is not a terminal.

A command opts in with one decorator and receives an :class:`Output`::

    @output_options("text", "json", "sarif", "junit", report=True)
    def validate(paths: list[Path] = typer.Argument(...), *, out: Output) -> None:
        if out.format == "text":
            render_text(findings, out.console())
        else:
            out.write(render(findings, out.format))

The error handler (:mod:`cxops.cli.main`) asks :func:`json_requested` whether an error must be
printed as the one JSON document ``{"error", "hint", "exit"}`` on stdout.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import typer
from rich.console import Console

from cxops.errors import UsageError

__all__ = [
    "Output",
    "checked",
    "console",
    "json_requested",
    "list_option",
    "output_options",
    "split",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Width of a console that is not a terminal: wide enough that no table cell or line is cut.
WIDE = 10_000

_PREFIX = "out_"
#: Set by a command's ``--json``/``--format json`` once its flags parsed (see json_requested).
_state: dict[str, bool] = {"json": False}


def console(*, stderr: bool = False, **kwargs: Any) -> Console:
    """A rich Console for stdout (or stderr) that never cuts lines when it is not a terminal.

    On a terminal rich fits tables to its width; piped or redirected, rich would assume 80
    columns and cut a long flow name in a table, so the width is then unbounded (:data:`WIDE`)
    and text is never wrapped (``soft_wrap``).
    """
    kwargs.setdefault("highlight", False)
    kwargs.setdefault("soft_wrap", True)
    out = Console(stderr=stderr, **kwargs)
    if "width" not in kwargs and "file" not in kwargs and not out.is_terminal:
        out = Console(stderr=stderr, width=WIDE, **kwargs)
    return out


def say(message: str) -> None:
    """One line for people on stderr (what was written, what happens next); no markup."""
    console(stderr=True, markup=False).print(message)


def split(values: Iterable[str] | str | None) -> list[str]:
    """The items of a list option: repeated values, each of which may hold several separated by
    commas; blanks dropped, order kept, duplicates dropped.

    >>> split(["a,b", " c ", "a"])
    ['a', 'b', 'c']
    """
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item and item not in out:
                out.append(item)
    return out


def list_option(
    default: Sequence[str] | None, *names: str, metavar: str = "A,B", help: str, **kwargs: Any
) -> Any:
    """A list option: repeat it or separate values with commas (read it with :func:`split`)."""
    return typer.Option(
        list(default) if default else None,
        *names,
        metavar=metavar,
        help=f"{help} Repeat the option or separate with commas.",
        **kwargs,
    )


class Output:
    """Where a command's output goes, in which format: stdout, or the file of ``--output``.

    ``write`` takes a document as text (JSON, SARIF, JUnit, Prometheus); ``console`` is a rich
    console for text meant for people. With ``--output``, whatever the command prints on stdout
    while it runs (through these, ``typer.echo`` or a console of :func:`console`) is gathered
    (:meth:`gathering`) and written at the end (:meth:`finish`), whole, with one line on stderr
    naming the file.
    """

    def __init__(self, format: str = "text", path: Path | None = None) -> None:
        self.format = format
        self.path = path
        self._buffer: io.StringIO | None = io.StringIO() if path is not None else None
        self._console: Console | None = None
        self.finished = False

    @property
    def json(self) -> bool:
        """Whether the output is one JSON document (``--json`` or ``--format json``)."""
        return self.format == "json"

    def console(self) -> Console:
        """The console for text output (stdout; off a terminal, as in a report file, without
        colour and never cut)."""
        if self._console is None:
            self._console = console()
        return self._console

    def write(self, text: str) -> None:
        """Print a document given as text; a newline ends it."""
        if not text.endswith("\n"):
            text += "\n"
        sys.stdout.write(text)
        sys.stdout.flush()

    def gathering(self) -> contextlib.AbstractContextManager[Any]:
        """While the command runs: stdout goes to the report of ``--output`` (if any)."""
        if self._buffer is None:
            return contextlib.nullcontext()
        return contextlib.redirect_stdout(self._buffer)

    def document(self, doc: Any, *, indent: int | None = None) -> None:
        """Print one JSON document."""
        self.write(json.dumps(doc, indent=indent, ensure_ascii=False, default=str))

    def finish(self) -> None:
        """Write the gathered report to ``--output`` (once), and say so on stderr."""
        if self.finished or self._buffer is None or self.path is None:
            return
        from cxops.safefile import write_file

        self.finished = True
        data = self._buffer.getvalue().encode("utf-8")
        write_file(self.path, data)
        say(f"wrote {self.path} ({self.format}, {len(data)} bytes)")


def checked(check: Callable[..., None]) -> Callable[[F], F]:
    """Run ``check(**flags)`` on a command's parsed flags before the command runs: placed above
    ``@connection_options``, a bad combination of flags is exit 2 before a profile is read or a
    vendor called (issue #16). ``check`` takes the flags it needs by name and ``**_``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(**kwargs)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def json_requested(argv: Sequence[str]) -> bool:
    """Whether this command line asked for JSON: a command said so once its flags were parsed,
    or (for a command line that did not parse) ``--json``/``--format json`` is in it."""
    if _state["json"]:
        return True
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--json" or arg == "--format=json":
            return True
        if arg == "--format" and i + 1 < len(args) and args[i + 1] == "json":
            return True
    return False


def reset() -> None:
    """Forget what the last command asked for (the error handler calls it before each run)."""
    _state["json"] = False


_FORMAT_HELP = {
    "text": "text for people",
    "json": "one JSON document",
    "sarif": "SARIF 2.1.0",
    "junit": "JUnit XML",
    "prometheus": "Prometheus text exposition",
    "jsonl": "one JSON object per line",
}


def output_options(*formats: str, report: bool = False) -> Callable[[F], F]:
    """Add ``--format`` (when there are several formats), ``--json`` (when json is one) and, for a
    command that writes a report, ``-o/--output``; pass ``out=`` an :class:`Output`.

    The first format is the default. ``--json`` with ``--format`` naming another format is a
    usage error (exit 2), found before the command does anything.
    """
    if not formats:
        raise TypeError("output_options needs at least one format")

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        if "out" not in signature.parameters:
            raise TypeError(f"{func.__name__} needs a keyword parameter 'out'")
        kept = [p for p in signature.parameters.values() if p.name != "out"]
        added: list[inspect.Parameter] = []

        def param(name: str, default: Any, annotation: Any) -> None:
            kind = inspect.Parameter.KEYWORD_ONLY
            added.append(inspect.Parameter(_PREFIX + name, kind, default=default,
                                           annotation=annotation))  # fmt: skip

        if len(formats) > 1:
            described = ", ".join(f"{f} ({_FORMAT_HELP.get(f, f)})" for f in formats)
            choice = Literal.__getitem__(formats)  # typer makes a Literal a choice of its values
            param(
                "format",
                typer.Option(formats[0], "--format", help=f"Output format: {described}."),
                choice,
            )
        if "json" in formats:
            param(
                "json",
                typer.Option(
                    False, "--json", help="Print one JSON document on stdout (= --format json)."
                ),
                bool,
            )
        if report:
            param(
                "output",
                typer.Option(
                    None,
                    "--output",
                    "-o",
                    metavar="FILE",
                    dir_okay=False,
                    help="Write the report to FILE instead of stdout.",
                ),
                Path | None,
            )

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fmt = kwargs.pop(_PREFIX + "format", formats[0])
            as_json = kwargs.pop(_PREFIX + "json", False)
            path = kwargs.pop(_PREFIX + "output", None)
            if as_json:
                if fmt not in (formats[0], "json"):
                    raise UsageError(
                        f"--json and --format {fmt} ask for two formats",
                        hint="--json is --format json; give one of them",
                    )
                fmt = "json"
            # Errors are a JSON document when JSON was asked for (not merely the default).
            _state["json"] = as_json or (fmt == "json" and formats[0] != "json")
            out = Output(fmt, path)
            kwargs["out"] = out
            try:
                with out.gathering():
                    result = func(*args, **kwargs)
            except typer.Exit:
                out.finish()  # a report that calls for exit 1 (findings) is still the report
                raise
            out.finish()
            return result

        params = sorted([*kept, *added], key=lambda p: p.kind)
        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        wrapper.__annotations__["return"] = signature.return_annotation
        return wrapper  # type: ignore[return-value]

    return decorate
