"""The audit log page: entries (filtered), the chain's verification and its head."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cxops.errors import CxopsError
from cxops.store import Store
from cxops.store.keys import signing_key_from_env
from cxops.web.queries.schemas import AuditEntryView, AuditView
from cxops.web.queries.words import when

__all__ = ["audit_view"]

_SHOWN = 500


def _head(
    path: Path | None,
) -> tuple[dict[str, Any] | None, Ed25519PublicKey | None, str | None]:
    """The exported head given to ``cxops serve --audit-head`` and the public key to check its
    signature (that of ``CXOPS_AUDIT_SIGNING_KEY``; without it the head is checked by content)."""
    if path is None:
        return None, None, None
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
        private = signing_key_from_env()
        return head, private.public_key() if private else None, None
    except (OSError, ValueError) as exc:
        return None, None, f"the head file {path} cannot be read: {exc}"
    except CxopsError as exc:
        return None, None, exc.message


def audit_view(
    store: Store,
    *,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    head_file: Path | None = None,
) -> AuditView:
    """Verify the whole chain (as ``cxops audit verify``), then list matching entries, newest
    first; every entry at or after the first problem is marked."""
    head, key, head_error = _head(head_file)
    result = store.audit.verify(head, key)
    bad_from = result.problem.seq if result.problem and result.problem.seq else None
    entries = []
    actions: set[str] = set()
    for e in store.audit.iter():
        actions.add(e.action)
        if actor and e.actor != actor:
            continue
        if action and not e.action.startswith(action):
            continue
        if subject and subject not in e.subject:
            continue
        entries.append(e)
    shown = [
        AuditEntryView(
            seq=e.seq,
            time=e.time,
            time_text=when(e.time),
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            details=json.dumps(e.details, ensure_ascii=False, sort_keys=True)[:400],
            hash=e.hash,
            bad=bad_from is not None and e.seq >= bad_from,
        )
        for e in reversed(entries[-_SHOWN:])
    ]
    if result.problem is not None:
        p = result.problem
        where = f"seq {p.seq}" if p.seq is not None else "the head"
        status = f"TAMPERED at {where} ({p.kind}): {p.message}"
    else:
        against = f", consistent with the exported head at seq {head['seq']}" if head else ""
        status = f"verifies: {result.entries} entries, chain intact{against}"
    if head_error:
        status += f" (exported head not checked: {head_error})"
    filters = {k: v for k, v in {"actor": actor, "action": action, "subject": subject}.items() if v}
    return AuditView(
        ok=result.ok,
        status=status,
        entries_total=result.entries,
        head_seq=result.last_seq,
        head_hash=result.last_hash,
        problem=None if result.problem is None else result.problem.to_dict(),
        entries=shown,
        filters=filters,
        actions=sorted(actions),
    )
