"""``cxops audit verify|head|show``: the tamper-evident audit log."""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.table import Table

from cxops.cli.common import Output, console, output_options
from cxops.cli.runs import store_option, when
from cxops.cli.text import cell
from cxops.errors import ConfigError, InputError, UsageError
from cxops.model.errors import ModelError
from cxops.model.parse import parse_json
from cxops.safefile import write_file
from cxops.sinks.git import GitRepo
from cxops.store import AuditEntry, Store
from cxops.store.chain import HEAD_TRAILER, head_from_trailer
from cxops.store.keys import (
    SIGNING_KEY_ENV,
    generate_keys,
    load_public_key,
    load_signing_key,
    signing_key_from_env,
)

app = typer.Typer(
    help="The tamper-evident audit log: verify, export a signed head, show.", no_args_is_help=True
)

EXIT_TAMPERED = 1


def _read_head(path: Path) -> dict[str, Any]:
    try:
        doc = parse_json(path.read_bytes(), max_bytes=1024 * 1024)
    except OSError as exc:
        raise InputError(f"cannot read the head file {path}: {exc.strerror or exc}") from None
    except ModelError as exc:
        raise InputError(f"cannot read the head file {path}: {exc.message}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path} is not an audit head (expected a JSON object)")
    return doc


def _public_key(ref: str | None) -> Ed25519PublicKey | None:
    """The key heads must be signed by: --public-key, else the signing key's public half."""
    if ref:
        return load_public_key(ref)
    private = signing_key_from_env()
    return private.public_key() if private is not None else None


@app.command("verify")
@output_options("text", "json")
def verify(
    head: Path | None = typer.Option(
        None, "--head", dir_okay=False, help="A head exported earlier by `cxops audit head`."
    ),
    repo: Path | None = typer.Option(
        None,
        "--repo",
        file_okay=False,
        help="An export repository: check the log against the audit head of every commit.",
    ),
    public_key: str | None = typer.Option(
        None,
        "--public-key",
        help="Ed25519 public key (PEM file or env:NAME) every head must be signed by.",
    ),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Recompute the hash chain and name the first bad entry or row; with --head or --repo,
    also find a cut tail or a rewritten chain.

    Exit 0 when the log verifies, 1 when it was tampered with. With --public-key (or
    CXOPS_AUDIT_SIGNING_KEY set), every head must carry a valid signature by that key.

    Example: cxops audit verify --repo exports/ --public-key audit-key.pub
    """
    head_doc = _read_head(head) if head else None
    key = _public_key(public_key)
    heads: list[tuple[str, dict[str, Any] | None]] = []
    if repo is not None:
        if not (repo / ".git").exists():
            raise UsageError(f"{repo} is not a git repository", hint="give --repo DIR")
        history = GitRepo(repo).trailer_history(HEAD_TRAILER)
        heads = [(f"commit {sha[:12]}", head_from_trailer(value)) for sha, value in history]
    with Store.open(store) as st:
        result = st.audit.verify(head_doc, key, heads=heads)
    if out.json:
        doc = result.to_dict()
        doc["heads_checked"] = len(heads) + (1 if head_doc else 0)
        out.document(doc)
    elif result.problem is None:
        against = f", consistent with the head at seq {head_doc['seq']}" if head_doc else ""
        if heads:
            against += f", and with the audit heads of {len(heads)} commit(s)"
        out.console().print(f"[green]audit log verifies[/]: {result.entries} entries{against}")
    else:
        p = result.problem
        where = f"seq {p.seq}" if p.seq is not None else "head"
        console(stderr=True).print(
            f"[red]audit log TAMPERED[/] at {where} ({p.kind}): {cell(p.message)}"
        )
    if result.problem is not None:
        raise typer.Exit(EXIT_TAMPERED)


@app.command("head")
@output_options("json", report=True)
def head(
    signing_key: str | None = typer.Option(
        None,
        "--signing-key",
        help=f"Ed25519 private key: a PEM file or env:NAME (default: {SIGNING_KEY_ENV}).",
    ),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Export a head {seq, hash, time} signed with Ed25519.

    Keep heads somewhere the store's writers cannot change; `cxops audit verify --head FILE
    --public-key KEY.pub` then notices entries removed from the end of the log or a rewritten
    chain, and needs only the public key. Every commit cxops makes carries a head too.

    Example: cxops audit head --output audit-head.json
    """
    key = load_signing_key(signing_key) if signing_key else signing_key_from_env()
    if key is None:
        raise ConfigError(
            "no audit signing key: a head is signed with an Ed25519 key",
            hint=f"create one with `cxops audit keygen` and set {SIGNING_KEY_ENV} to its path",
        )
    with Store.open(store) as st:
        doc = st.audit.head(key)
    out.document(doc, indent=2)


@app.command("keygen")
@output_options("text", "json")
def keygen(
    private_key: Path = typer.Option(
        ..., "--private-key", dir_okay=False, help="Where to write the private key (PEM)."
    ),
    public_key: Path = typer.Option(
        ..., "--public-key", dir_okay=False, help="Where to write the public key (PEM)."
    ),
    *,
    out: Output,
) -> None:
    """Create an Ed25519 key pair for signing audit heads (the private file is mode 0600).

    Example: cxops audit keygen --private-key ~/.cxops/audit.pem --public-key audit.pub
    """
    for path in (private_key, public_key):
        if path.exists() or path.is_symlink():
            raise UsageError(f"{path} exists", hint="choose a new file; keys are never replaced")
    private_pem, public_pem = generate_keys()
    try:
        fd = os.open(private_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write {private_key}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    write_file(public_key, public_pem)
    if out.json:
        out.document(
            {"private_key": str(private_key), "public_key": str(public_key), "env": SIGNING_KEY_ENV}
        )
        return
    console(stderr=True).print(
        f"private key {private_key} (keep it secret), public key {public_key} (give it to "
        f"auditors); set {SIGNING_KEY_ENV}={private_key}"
    )


@app.command("show")
@output_options("text", "json", "jsonl", report=True)
def show(
    jsonl: bool = typer.Option(False, "--jsonl", help="Same as --format jsonl (kept for scripts)."),
    limit: int | None = typer.Option(None, min=1, help="Only the last N entries."),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """List audit entries, oldest first (or export them as JSON lines).

    Example: cxops audit show --format jsonl -o audit.jsonl
    """
    if jsonl:
        if out.format not in ("text", "jsonl"):
            raise UsageError(f"choose one of --jsonl and --format {out.format}")
        out.format = "jsonl"
    with Store.open(store) as st:
        # rows(), not the ORM: a row holding garbage is shown as unreadable, not a crash;
        # with --limit only that many are held (rows() reads the log a page at a time).
        entries = list(deque(st.audit.rows(), maxlen=limit or None))
    docs = [
        e.to_dict() if isinstance(e, AuditEntry) else {"seq": e.row, "unreadable": e.why}
        for e in entries
    ]
    if out.format == "jsonl":
        for doc in docs:
            out.document(doc)
        return
    if out.json:
        out.document({"entries": docs})
        return
    table = Table("seq", "time (UTC)", "actor", "action", "subject", "hash")
    for e in entries:
        if isinstance(e, AuditEntry):
            # A tampered store can hold anything: what reaches the terminal is escaped.
            table.add_row(
                str(e.seq), when(e.time), cell(e.actor), cell(e.action), cell(e.subject),
                cell(e.hash[:12]),
            )  # fmt: skip
        else:
            table.add_row(cell(e.row), "[red]unreadable[/]", cell(e.why), "", "", "")
    out.console().print(table if entries else "the audit log is empty")
