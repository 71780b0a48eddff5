"""A promotion's evidence for people, in the terminal: its gates and checks after the deploy
one line each, its rollback with the check that failed and why. ``cxops promote`` (and
``runs resume|cancel``) and ``cxops runs show`` print the same lines; the wording itself is
``cxops.analysis.evidence``, shared with the dashboard."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from cxops.analysis.evidence import gate_line, rollback_cause, verify_checks
from cxops.cli.text import cell

__all__ = ["gate_lines", "rollback_lines"]


def gate_lines(console: Console, summary: dict[str, Any], *, sections: bool = False) -> None:
    """Each gate, then each check after the deploy, as one line of evidence in words (and the
    hint of a failed one): the dashboard's wording (``analysis.evidence``), written once.
    ``sections``: headings in bold, as ``runs show`` titles its sections."""
    verify = summary.get("verify")
    after = verify_checks(verify) if isinstance(verify, dict) else []
    for title, gates in (("gates", summary.get("gates") or []), ("after the deploy", after)):
        if gates:
            console.print(f"[bold]{title}[/]" if sections else f"{title}:")
        for gate in gates:
            line, under = gate_line(gate)
            mark = "skip" if gate.get("skipped") else "pass" if gate["passed"] else "[red]FAIL[/]"
            console.print(f"  {mark}  {cell(line)}", soft_wrap=True)
            for more in under:
                console.print(f"        {cell(more)}", soft_wrap=True)


def rollback_lines(
    console: Console, summary: dict[str, Any], rb: dict[str, Any], indent: str = ""
) -> None:
    """Why the promotion rolled back (the check or step that failed, and its cause), and
    whether the restore gave back what was there before (``indent`` before each line)."""
    cause = cell(rollback_cause(summary) or str(rb.get("failed")))
    point = cell(rb.get("restored_point"))
    if rb.get("error"):
        console.print(f"{indent}[red]ROLLBACK FAILED[/] after: {cause}", soft_wrap=True)
        console.print(f"{indent}  the restore of {point} failed: {cell(rb['error'])}")
    elif not rb.get("identical"):
        console.print(f"{indent}[red]ROLLBACK FAILED[/] after: {cause}", soft_wrap=True)
        console.print(
            f"{indent}  restored {point} but the target's content differs from before: check it now"
        )
    else:
        console.print(f"{indent}[red]rolled back[/]: {cause}", soft_wrap=True)
        console.print(f"{indent}  restored {point}: content identical to before", soft_wrap=True)
