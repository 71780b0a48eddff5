"""Progress on stderr for the commands that wait (export, resolve, compile, promote's plan).

A :class:`ProgressView` takes the pipelines' progress events (``pipelines/progress.py``: pure
data), keeps a :class:`~cxops.pipelines.progress.Tally` and shows it on stderr, never stdout:

- on a terminal, one live rich line with a bar, redrawn in place;
- otherwise (CI logs, a pipe), plain lines: one each time a project ends and at most one
  every ``every`` seconds in between, then a last one, e.g.
  ``export: 3/8 projects, 41/102 flows, 9.8 req/s, 2 retries, ETA 1m12s``.

``--quiet`` (or ``--log-level error``) shows nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from cxops.cli.common import console as common_console
from cxops.pipelines.progress import Tally

__all__ = ["ProgressView", "duration", "observed", "progress_line", "quiet_option", "showing"]

#: Seconds between two plain lines while no project ends.
EVERY_S = 5.0


def quiet_option() -> Any:
    """The ``--quiet`` option of every command that shows progress."""
    return typer.Option(False, "--quiet", "-q", help="No progress lines on stderr.")


def duration(seconds: float) -> str:
    """``42s``, ``1m12s``, ``2h05m``: a short, readable span."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def progress_line(label: str, tally: Tally, elapsed: float) -> str:
    """One line for people: what is done of what, the request rate, retries and an ETA."""
    parts = []
    if tally.projects_total is not None:
        failed = f" ({tally.projects_failed} failed)" if tally.projects_failed else ""
        parts.append(f"{tally.projects_done}/{tally.projects_total} projects{failed}")
    if tally.flows:
        total = tally.flows_total
        parts.append(f"{tally.flows_done}/{total} flows" if total is not None else
                     f"{tally.flows_done} flows")  # fmt: skip
    if tally.units_total is not None:
        parts.append(f"{tally.units_done}/{tally.units_total} checked")
    if not parts:
        parts.append("starting")
    if elapsed > 0 and tally.requests:
        parts.append(f"{tally.requests / elapsed:.1f} req/s")
    parts.append(f"{tally.retries} retr{'y' if tally.retries == 1 else 'ies'}")
    left = tally.eta(elapsed)
    if left is not None and (tally.fraction() or 0) < 1:
        parts.append(f"ETA {duration(left)}")
    return f"{label}: " + ", ".join(parts)


def showing(quiet: bool) -> bool:
    """Whether progress is shown: not with ``--quiet``, nor when logs are errors only."""
    return not quiet and logging.getLogger().getEffectiveLevel() <= logging.WARNING


class ProgressView:
    """Shows a command's progress events on stderr (see the module doc).

    Use it as a context manager around the wait, and pass it (or :meth:`observer`) where the
    pipeline emits events.
    """

    def __init__(
        self,
        label: str,
        *,
        quiet: bool = False,
        console: Console | None = None,
        every: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        live: bool | None = None,
    ) -> None:
        self.label = label
        self.tally = Tally()
        self.console = console or common_console(stderr=True)
        self.shown = showing(quiet)
        # live: a bar redrawn in place (default on a terminal); False for plain lines where the
        # command has a live display of its own (promote's status line: rich allows one).
        self.live = self.shown and (self.console.is_terminal if live is None else live)
        self.every = every
        self.clock = clock
        self.started = clock()
        self.last_line = self.started
        self.pending = False  # something moved since the last plain line
        self._said: tuple[object, ...] = ()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        moved = self.tally.feed(event, data)
        if not self.shown:
            return
        now = self.clock()
        if self.live:
            self._redraw(now)
            return
        self.pending = self.pending or self._said != self._state()
        if moved or (self.pending and now - self.last_line >= self.every):
            self._line(now)

    def observer(self) -> Callable[[str, str, dict[str, Any]], None]:
        """The same, as a ``record.observe`` observer (it takes the run id first)."""
        return lambda _run, event, data: self(event, data)

    def _state(self) -> tuple[object, ...]:
        t = self.tally
        return (t.projects_total, t.projects_done, t.flows_done, t.flows_total, t.units_done,
                t.requests, t.retries)  # fmt: skip

    def _line(self, now: float) -> None:
        line = progress_line(self.label, self.tally, now - self.started)
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)
        self.last_line = now
        self.pending = False
        self._said = self._state()

    def _redraw(self, now: float) -> None:
        if self.bar is None or self.task is None:
            return
        line = progress_line(self.label, self.tally, now - self.started)
        done = self.tally.fraction() or 0.0
        self.bar.update(self.task, completed=done * 1000, description=line)

    def __enter__(self) -> ProgressView:
        if self.live:
            self.bar = Progress(
                BarColumn(bar_width=24),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self.task = self.bar.add_task(f"{self.label}: starting", total=1000)
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        if self.shown and not self.live and self.pending:
            self._line(self.clock())


@contextmanager
def observed(view: ProgressView) -> Iterator[ProgressView]:
    """``view`` shown while its block runs, fed by the pipelines' ``record.notify``."""
    from cxops.pipelines.record import observe

    remove = observe(view.observer())
    try:
        with view:
            yield view
    finally:
        remove()
