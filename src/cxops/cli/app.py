"""The Typer application and its global options; each command lives in its own module.

Adding a command: write ``cli/<name>.py`` with a function, then add one line to ``COMMANDS``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from importlib import import_module

import typer
from typer.core import TyperOption

from cxops import logs
from cxops._version import __version__


def _flags_without_type() -> None:
    """Show a flag as a plain flag in ``--help``, never as ``--check <bool>`` (issue #16).

    Typer's rich help prints the type of every option, a flag's included, which reads as if the
    flag took a value. A flag takes none (``--check``, or ``--x/--no-x``), so it gets no type.
    """
    shown = TyperOption.display_type_rich
    if getattr(shown, "_cxops", False):
        return

    def display_type_rich(self: TyperOption, ctx: typer.Context) -> str | None:
        if self.is_flag and not self.count and self.metavar is None:
            return None
        return shown(self, ctx)

    display_type_rich._cxops = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign,assignment]


_flags_without_type()

app = typer.Typer(
    name="cxops",
    help=(
        "Release engineering for contact-center conversation flows: export, validate, version, "
        "promote and audit bot and IVR flows on Cognigy.AI, CXone Studio and Genesys Cloud."
    ),
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (docs/completion.md)
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class LogLevel(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


class LogFormat(StrEnum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cxops {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global(
    log_level: LogLevel = typer.Option(
        LogLevel.warning,
        "--log-level",
        envvar="CXOPS_LOG_LEVEL",
        help="debug, info, warning or error. 'debug' also shows tracebacks.",
    ),
    log_format: LogFormat = typer.Option(
        LogFormat.text,
        "--log-format",
        envvar="CXOPS_LOG_FORMAT",
        help="text for people, json for log collectors (one object per line on stderr).",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    logs.configure(log_level.value, log_format.value)


#: Every command: name → (module, attribute, whether it is a group of subcommands). A command's
#: module is imported only when that command runs (or for the full ``--help``): importing them
#: all pulls in DBOS, SQLAlchemy, httpx and the vendors, seconds that ``cxops --version`` and a
#: shell completion must not pay.
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "init": ("cxops.cli.init", "init", False),
    "doctor": ("cxops.cli.doctor", "doctor", False),
    "emulator": ("cxops.cli.emulator", "emulator", False),
    "validate": ("cxops.cli.validate", "validate", False),
    "diff": ("cxops.cli.diff", "diff", False),
    "lock": ("cxops.cli.lock", "lock", False),
    "runs": ("cxops.cli.runs", "app", True),
    "audit": ("cxops.cli.audit", "app", True),
    "webhooks": ("cxops.cli.webhooks", "app", True),
    "metrics": ("cxops.cli.metrics", "metrics", False),
    "export": ("cxops.cli.export", "export", False),
    "compile": ("cxops.cli.compile", "compile", False),
    "resolve": ("cxops.cli.resolve", "resolve", False),
    "promote": ("cxops.cli.promote", "promote", False),
    "serve": ("cxops.cli.serve", "serve", False),
    "worker": ("cxops.cli.worker", "worker", False),
    "workers": ("cxops.cli.workers", "app", True),
    "fleet": ("cxops.cli.fleet", "app", True),
}
_registered: list[str] = []


def register(names: Iterable[str] = COMMANDS) -> None:
    """Import and register these commands (all by default), in the order of ``COMMANDS``."""
    wanted = [name for name in COMMANDS if name in set(names) or name in _registered]
    if wanted == _registered:
        return
    app.registered_commands.clear()
    app.registered_groups.clear()
    for name in wanted:
        module, attribute, group = COMMANDS[name]
        target = getattr(import_module(module), attribute)
        if group:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    _registered[:] = wanted


#: What the shell sets when it asks ``cxops`` to complete a word (Typer: ``_{PROG}_COMPLETE``);
#: bash passes the words in ``COMP_WORDS``, zsh, fish and PowerShell in ``_TYPER_COMPLETE_ARGS``.
COMPLETE_VAR = "_CXOPS_COMPLETE"
_NO_COMMANDS = ("--version", "--show-completion", "--install-completion")


def _placeholders() -> None:
    """Every command by name only, for completing the command word itself: a TAB must not pay
    for importing every command module (seconds; benchmarks/cli_startup.py)."""
    app.registered_commands.clear()
    app.registered_groups.clear()
    for name, (_, _, group) in COMMANDS.items():
        if group:
            app.add_typer(typer.Typer(), name=name)
        else:
            app.command(name)(lambda: None)
    _registered[:] = ["(placeholders)"]


def register_for(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> None:
    """Register what these arguments need: the command they name, none for ``--version`` or the
    completion scripts alone, every command otherwise (``--help``, no arguments, an unknown
    command's message). When the shell asks for a completion, the words it sends decide: the
    command they name, else every command by name only."""
    if COMPLETE_VAR in environ:
        words = (environ.get("COMP_WORDS") or environ.get("_TYPER_COMPLETE_ARGS") or "").split()
        named = [word for word in words[1:] if word in COMMANDS]
        if named:
            register(named[:1])
        else:
            _placeholders()
        return
    named = [arg for arg in argv if arg in COMMANDS]
    if named:
        register(named[:1])
    elif not any(flag in argv for flag in _NO_COMMANDS):
        register()
