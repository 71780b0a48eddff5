"""Text from elsewhere (a vendor, the store, a repository) made safe for a rich terminal.

A flow, project or node name, a vendor's error text, a run's recorded error: any of them may
hold escape sequences (``ESC ]52;`` writes the clipboard, ``ESC [2J`` clears the screen, OSC 8
fakes a link), C1 controls, bidirectional overrides that reorder what is shown (CVE-2021-42574),
newlines that fake a table row, or rich markup (``[red]``, ``[link=...]``) that rich would
interpret. :func:`cell` shows all of them as text. Rich itself strips BEL and CR but passes ESC
(issue #15). cxops' own markup stays outside the value:

    console.print(f"[bold]{cell(name)}[/]: {cell(error)}")
    table.add_row(cell(flow["name"]), "[red]failed[/]")
"""

from __future__ import annotations

from rich.markup import escape

from cxops.logs import one_line

__all__ = ["cell"]


def cell(value: object) -> str:
    r"""``value`` as one line of literal text for rich: control characters, escape sequences
    and bidirectional overrides shown as ``\xNN``/``\uNNNN``, markup escaped.

    >>> cell("[red]x[/red]\x1b[2J")
    '\\[red]x\\[/red]\\x1b[2J'
    """
    return escape(one_line("" if value is None else str(value)))
