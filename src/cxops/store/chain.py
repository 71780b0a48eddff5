"""The audit hash chain and signed heads: pure functions, no database.

Each entry's ``hash`` is SHA-256 (hex) over the RFC 8785 canonical JSON of the entry's fields
(seq, time, actor, action, subject, details) together with ``prev_hash``, the previous entry's
hash (64 zeros for the first). A *head* ``{seq, hash, time}`` kept elsewhere (a file from
``cxops audit head``, or the ``Cxops-Audit-Head`` trailer of every commit cxops makes) lets a
later check notice that the tail was cut off or the chain rewritten and re-hashed. Heads are
signed with Ed25519 (RFC 8032): the signing key stays with the writers, and the public key, all
a verifier needs, cannot forge a head (HMAC heads could be forged by any verifier; issue #15).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cxops.store.keys import key_id
from cxops.store.records import AuditEntry

__all__ = [
    "GENESIS",
    "HEAD_FORMAT",
    "HEAD_TRAILER",
    "Problem",
    "entry_hash",
    "format_time",
    "head_from_trailer",
    "head_trailer",
    "sign_head",
    "verify_chain",
    "verify_head_signature",
]

GENESIS = "0" * 64
HEAD_FORMAT = "cxops.audit-head/2"  # /2: Ed25519 signatures (/1 was HMAC-SHA256)
HEAD_TRAILER = "Cxops-Audit-Head"
ALG = "Ed25519"
#: How many entries back (and ahead) a swapped row is recognised as *reordered*; further apart
#: it is still caught, as a hash mismatch. Bounds what ``verify_chain`` keeps in memory.
_WINDOW = 4096


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
    ``entries`` may be a generator: it is consumed once, in constant memory.
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
        if len(seen) > _WINDOW:  # constant memory: only recent entries can be told reordered
            del seen[next(iter(seen))]
        last_seq, last_hash = entry.seq, entry.hash
    return last_seq, last_hash, None


def _written_as(entry: AuditEntry, seen: dict[str, int], last_seq: int) -> int | None:
    """The seq this entry's content was hashed under, when that is not its stored seq."""
    # Its predecessor, if already walked, tells the original seq directly.
    if entry.prev_hash == GENESIS:
        candidates: Iterable[int] = [1]
    elif entry.prev_hash in seen:
        candidates = [seen[entry.prev_hash] + 1]
    else:  # the predecessor moved too (or further back than the window): it sits later
        candidates = range(last_seq + 2, last_seq + 2 + _WINDOW)
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


def sign_head(
    seq: int, hash_: str, time: datetime, key: Ed25519PrivateKey | None
) -> dict[str, Any]:
    """A head ``{format, seq, hash, time[, alg, key_id, signature]}``; signed when a key is
    given (Ed25519 over the RFC 8785 form of format, seq, hash and time)."""
    head: dict[str, Any] = {
        "format": HEAD_FORMAT,
        "seq": seq,
        "hash": hash_,
        "time": format_time(time),
    }
    if key is not None:
        head["alg"] = ALG
        head["key_id"] = key_id(key.public_key())
        head["signature"] = base64.b64encode(key.sign(_head_message(head))).decode("ascii")
    return head


def verify_head_signature(head: Any, key: Ed25519PublicKey) -> bool:
    """True when ``head`` is well-formed and carries an Ed25519 signature valid under ``key``."""
    try:
        if not well_formed(head) or head.get("alg") != ALG:
            return False
        signature = base64.b64decode(str(head["signature"]), validate=True)
        key.verify(signature, _head_message(head))
        return True
    except (KeyError, TypeError, ValueError, binascii.Error, InvalidSignature):
        return False


def well_formed(head: Any) -> bool:
    """A head document with the fields a check needs, of the right types."""
    return (
        isinstance(head, dict)
        and head.get("format") == HEAD_FORMAT
        and type(head.get("seq")) is int
        and head["seq"] >= 0
        and isinstance(head.get("hash"), str)
        and isinstance(head.get("time"), str)
    )


def head_trailer(head: dict[str, Any]) -> str:
    """The head as one commit-trailer value: ``seq=… hash=… time=…[ key=… sig=…]``."""
    parts = [f"seq={head['seq']}", f"hash={head['hash']}", f"time={head['time']}"]
    if "signature" in head:
        parts += [f"key={head['key_id']}", f"sig={head['signature']}"]
    return " ".join(parts)


def head_from_trailer(value: str) -> dict[str, Any] | None:
    """The head a trailer value holds, or None when it is not one (malformed: a problem)."""
    fields = dict(p.split("=", 1) for p in value.split() if "=" in p)
    try:
        head: dict[str, Any] = {
            "format": HEAD_FORMAT,
            "seq": int(fields["seq"]),
            "hash": fields["hash"],
            "time": fields["time"],
        }
    except (KeyError, ValueError):
        return None
    if "sig" in fields:
        head.update(alg=ALG, key_id=fields.get("key", ""), signature=fields["sig"])
    return head
