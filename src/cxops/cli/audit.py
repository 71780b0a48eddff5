"""``cxops audit verify|head|show``: the tamper-evident audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from cxops.cli.runs import store_option, when
from cxops.errors import InputError
from cxops.safefile import write_file
from cxops.store import Store, audit_key

app = typer.Typer(
    help="The tamper-evident audit log: verify, export a signed head, show.", no_args_is_help=True
)

EXIT_TAMPERED = 1


def _read_head(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the head file {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise InputError(f"{path} is not an audit head (expected a JSON object)")
    return doc


@app.command("verify")
def verify(
    head: Path | None = typer.Option(
        None, "--head", dir_okay=False, help="A head exported earlier by `cxops audit head`."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    store: str | None = store_option(),
) -> None:
    """Recompute the hash chain and name the first bad entry; with --head, detect truncation.

    Exit 0 when the log verifies, 1 when it was tampered with. A head needs CXOPS_AUDIT_KEY.

    Example: cxops audit verify --head audit-head.json
    """
    head_doc = _read_head(head) if head else None
    key = audit_key() if head_doc is not None else None
    with Store.open(store) as st:
        result = st.audit.verify(head_doc, key)
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
    elif result.problem is None:
        against = f", consistent with the head at seq {head_doc['seq']}" if head_doc else ""
        Console().print(f"[green]audit log verifies[/]: {result.entries} entries{against}")
    else:
        p = result.problem
        where = f"seq {p.seq}" if p.seq is not None else "head"
        Console(stderr=True).print(f"[red]audit log TAMPERED[/] at {where} ({p.kind}): {p.message}")
    if result.problem is not None:
        raise typer.Exit(EXIT_TAMPERED)


@app.command("head")
def head(
    output: Path | None = typer.Option(
        None, "--output", "-o", dir_okay=False, help="Write the head here instead of stdout."
    ),
    store: str | None = store_option(),
) -> None:
    """Export a head {seq, hash, time} signed with HMAC-SHA256 (key: CXOPS_AUDIT_KEY).

    Keep heads somewhere the store's writers cannot change; `cxops audit verify --head FILE`
    then notices entries removed from the end of the log.

    Example: cxops audit head --output audit-head.json
    """
    key = audit_key()
    with Store.open(store) as st:
        doc = st.audit.head(key)
    text = json.dumps(doc, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    write_file(output, text)
    Console(stderr=True).print(f"head at seq {doc['seq']} written to {output}")


@app.command("show")
def show(
    jsonl: bool = typer.Option(False, "--jsonl", help="One JSON entry per line (an export)."),
    limit: int | None = typer.Option(None, min=1, help="Only the last N entries."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    store: str | None = store_option(),
) -> None:
    """List audit entries, oldest first (or export them as JSON lines).

    Example: cxops audit show --jsonl > audit.jsonl
    """
    with Store.open(store) as st:
        entries = st.audit.tail(limit) if limit else list(st.audit.iter())
    if jsonl:
        for e in entries:
            typer.echo(json.dumps(e.to_dict(), ensure_ascii=False))
        return
    if as_json:
        typer.echo(json.dumps({"entries": [e.to_dict() for e in entries]}))
        return
    table = Table("seq", "time (UTC)", "actor", "action", "subject", "hash")
    for e in entries:
        table.add_row(str(e.seq), when(e.time), e.actor, e.action, e.subject, e.hash[:12])
    Console().print(table if entries else "the audit log is empty")
