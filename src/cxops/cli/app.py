"""The Typer application and its global options; each command lives in its own module.

Adding a command: write ``cli/<name>.py`` with a function, then add one line to ``_register``.
"""

from __future__ import annotations

from enum import StrEnum

import typer

from cxops import logs
from cxops._version import __version__

app = typer.Typer(
    name="cxops",
    help=(
        "Release engineering for contact-center conversation flows: export, validate, version, "
        "promote and audit bot and IVR flows on Cognigy.AI, CXone Studio and Genesys Cloud."
    ),
    no_args_is_help=True,
    add_completion=False,
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


def _register() -> None:
    from cxops.cli import emulator

    app.command("emulator")(emulator.emulator)

    from cxops.cli import diff, lock, validate

    app.command("validate")(validate.validate)
    app.command("diff")(diff.diff)
    app.command("lock")(lock.lock)

    from cxops.cli import audit, metrics, runs, webhooks

    app.add_typer(runs.app, name="runs")
    app.add_typer(audit.app, name="audit")
    app.add_typer(webhooks.app, name="webhooks")
    app.command("metrics")(metrics.metrics)

    from cxops.cli import export

    app.command("export")(export.export)

    from cxops.cli import compile as compile_cmd

    app.command("compile")(compile_cmd.compile)

    from cxops.cli import resolve

    app.command("resolve")(resolve.resolve)

    from cxops.cli.promote import promote

    app.command("promote")(promote)


_register()
