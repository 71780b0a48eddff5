"""The audit hash chain and signed heads: pure functions, no database.

Each entry's ``hash`` is SHA-256 (hex) over the RFC 8785 canonical JSON of the entry's fields
(seq, time, actor, action, subject, details) together with ``prev_hash``, the previous entry's
hash (64 zeros for the first). A *head* ``{seq, hash, time}`` exported elsewhere and signed with
HMAC-SHA256 lets a later check notice that the tail of the log was cut off.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

from cxops.store.records import AuditEntry

__all__ = [
    "GENESIS",
    "HEAD_FORMAT",
    "Problem",
    "entry_hash",
    "format_time",
    "sign_head",
    "verify_chain",
    "verify_head_signature",
]

GENESIS = "0" * 64
HEAD_FORMAT = "cxops.audit-head/1"


def format_time(value: datetime) -> str:
    """ISO 8601 UTC with microseconds and ``Z``: the one spelling that goes into hashes."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    time: datetime,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 hex of the canonical JSON of one entry and its predecessor's hash."""
    doc: Any = {
        "seq": seq,
        "time": format_time(time),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(rfc8785.dumps(doc)).hexdigest()


def _recompute(entry: AuditEntry, seq: int | None = None) -> str:
    return entry_hash(
        seq=entry.seq if seq is None else seq,
        time=entry.time,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        details=entry.details,
        prev_hash=entry.prev_hash,
    )


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with a log: where (``seq``), what kind, and a sentence saying why."""

    seq: int | None
    kind: str  # hash-mismatch, broken-link, gap, reordered, truncated, head-mismatch, ...
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``cxops audit verify --json``."""
        return {"seq": self.seq, "kind": self.kind, "message": self.message}


def verify_chain(entries: Iterable[AuditEntry]) -> tuple[int, str, Problem | None]:
    """Walk entries in seq order; return (last seq, last hash, first problem or None).

    The checks per entry, in order: its seq follows the previous one (else a *gap*, or
    *reordered* when the seq goes backwards); its stored hash matches its content (else a
    *hash mismatch* — or *reordered* when the content hashes correctly under a different
    seq of this log, i.e. rows swapped places); its ``prev_hash`` is the previous entry's hash
    (else a *broken link*: an entry before it was rewritten and re-hashed, or removed).
    """
    last_seq, last_hash = 0, GENESIS
    seen: dict[str, int] = {}
    for entry in entries:
        expected = last_seq + 1
        if entry.seq < expected:
            return (
                last_seq,
                last_hash,
                Problem(entry.seq, "reordered", f"seq {entry.seq} appears after seq {last_seq}"),
            )
        if entry.seq > expected:
            missing = (
                f"seq {expected}"
                if entry.seq == expected + 1
                else f"seqs {expected}-{entry.seq - 1}"
            )
            return (
                last_seq,
                last_hash,
                Problem(
                    expected,
                    "gap",
                    f"{missing} missing: the entry after seq {last_seq} is {entry.seq}",
                ),
            )
        if _recompute(entry) != entry.hash:
            written_as = _written_as(entry, seen, last_seq)
            if written_as is not None:
                return (
                    last_seq,
                    last_hash,
                    Problem(
                        entry.seq,
                        "reordered",
                        f"entry at seq {entry.seq} was written as seq {written_as}",
                    ),
                )
            return (
                last_seq,
                last_hash,
                Problem(
                    entry.seq,
                    "hash-mismatch",
                    f"seq {entry.seq}: stored hash does not match content",
                ),
            )
        if entry.prev_hash != last_hash:
            return (
                last_seq,
                last_hash,
                Problem(
                    entry.seq,
                    "broken-link",
                    f"seq {entry.seq}: prev_hash does not match the hash of seq {last_seq}",
                ),
            )
        seen[entry.hash] = entry.seq
        last_seq, last_hash = entry.seq, entry.hash
    return last_seq, last_hash, None


def _written_as(entry: AuditEntry, seen: dict[str, int], last_seq: int) -> int | None:
    """The seq this entry's content was hashed under, when that is not its stored seq."""
    # Its predecessor, if already walked, tells the original seq directly.
    if entry.prev_hash == GENESIS:
        candidates: Iterable[int] = [1]
    elif entry.prev_hash in seen:
        candidates = [seen[entry.prev_hash] + 1]
    else:  # the predecessor moved too: it sits later in the log
        candidates = range(last_seq + 2, last_seq + 2 + 4096)
    for seq in candidates:
        if seq != entry.seq and _recompute(entry, seq) == entry.hash:
            return seq
    return None


def _head_message(head: dict[str, Any]) -> bytes:
    doc: Any = {
        "format": HEAD_FORMAT,
        "seq": head["seq"],
        "hash": head["hash"],
        "time": head["time"],
    }
    return bytes(rfc8785.dumps(doc))


def sign_head(seq: int, hash_: str, time: datetime, key: bytes) -> dict[str, Any]:
    """A head document ``{format, seq, hash, time, alg, signature}`` signed with HMAC-SHA256."""
    head: dict[str, Any] = {
        "format": HEAD_FORMAT,
        "seq": seq,
        "hash": hash_,
        "time": format_time(time),
    }
    head["alg"] = "HMAC-SHA256"
    head["signature"] = hmac.new(key, _head_message(head), hashlib.sha256).hexdigest()
    return head


def verify_head_signature(head: dict[str, Any], key: bytes) -> bool:
    """True when ``head`` is well-formed and its signature matches under ``key``."""
    try:
        if head.get("format") != HEAD_FORMAT or head.get("alg") != "HMAC-SHA256":
            return False
        if not isinstance(head["seq"], int) or not isinstance(head["hash"], str):
            return False
        expected = hmac.new(key, _head_message(head), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, str(head["signature"]))
    except (KeyError, TypeError):
        return False
