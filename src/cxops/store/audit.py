"""The audit log: serialized appends, ordered reads, verification and signed heads.

Appends are serialized so that two writers never chain onto the same predecessor: on PostgreSQL
by ``SELECT ... FOR UPDATE`` of the single ``audit_lock`` row, on SQLite by the ``BEGIN
IMMEDIATE`` every store transaction starts with (see ``engine``). The lock is held until the
surrounding transaction commits, so an entry appended inside ``store.transaction()`` is
published together with the state change it describes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from sqlalchemy import func, select

from cxops.errors import ConfigError
from cxops.store.chain import (
    GENESIS,
    Problem,
    entry_hash,
    sign_head,
    verify_chain,
    verify_head_signature,
)
from cxops.store.models import AuditLockRow, AuditRow
from cxops.store.records import AuditEntry
from cxops.store.scope import Scope, utcnow

__all__ = ["KEY_ENV", "Audit", "Verification", "audit_key"]

KEY_ENV = "CXOPS_AUDIT_KEY"
_MIN_KEY_LEN = 16
_PAGE = 1000


def audit_key(value: str | None = None) -> bytes:
    """The HMAC key for heads: the argument (from config) or ``CXOPS_AUDIT_KEY``."""
    key = value if value is not None else os.environ.get(KEY_ENV)
    if not key:
        raise ConfigError(
            "no audit key: signed heads need an HMAC key",
            hint=f"set {KEY_ENV} to a random secret of at least {_MIN_KEY_LEN} characters "
            "(e.g. `openssl rand -hex 32`) and keep it outside the store",
        )
    if len(key) < _MIN_KEY_LEN:
        raise ConfigError(
            f"the audit key is too short ({len(key)} characters)",
            hint=f"use at least {_MIN_KEY_LEN} random characters in {KEY_ENV}",
        )
    return key.encode("utf-8")


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        time=row.time,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        details=dict(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


@dataclass(frozen=True)
class Verification:
    """The outcome of ``verify``: how far the chain is sound and the first problem, if any."""

    entries: int
    last_seq: int
    last_hash: str
    problem: Problem | None
    head: dict[str, Any] | None = field(default=None)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``cxops audit verify --json``."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "problem": None if self.problem is None else self.problem.to_dict(),
            "head": self.head,
        }


class Audit:
    """Append-only, hash-chained audit entries."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def append(
        self, actor: str, action: str, subject: str, details: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Chain a new entry after the last one; ``details`` must be JSON (no NaN)."""
        # A JSON round trip makes what is hashed exactly what the database will give back.
        try:
            clean: dict[str, Any] = json.loads(json.dumps(details or {}, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"audit details are not canonical JSON: {exc}") from exc
        with self._scope.session() as s:
            s.execute(select(AuditLockRow.id).where(AuditLockRow.id == 1).with_for_update())
            last = s.execute(
                select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
            ).first()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
            now = utcnow()
            try:
                digest = entry_hash(
                    seq=seq,
                    time=now,
                    actor=actor,
                    action=action,
                    subject=subject,
                    details=clean,
                    prev_hash=prev,
                )
            except rfc8785.CanonicalizationError as exc:
                # e.g. integers beyond 2**53, which JSON readers elsewhere would round
                raise ValueError(f"audit details are not canonical JSON: {exc}") from exc
            row = AuditRow(
                seq=seq,
                time=now,
                actor=actor,
                action=action,
                subject=subject,
                details=clean,
                prev_hash=prev,
                hash=digest,
            )
            s.add(row)
            s.flush()
            return _entry(row)

    def iter(self, *, after: int = 0) -> Iterator[AuditEntry]:
        """Every entry with seq > ``after``, in seq order, fetched a page at a time."""
        while True:
            with self._scope.session() as s:
                rows = s.scalars(
                    select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(_PAGE)
                ).all()
                page = [_entry(r) for r in rows]
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].seq

    def tail(self, limit: int) -> list[AuditEntry]:
        """The last ``limit`` entries, oldest first."""
        with self._scope.session() as s:
            rows = s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)).all()
            return [_entry(r) for r in reversed(rows)]

    def last(self) -> AuditEntry | None:
        """The newest entry, or None for an empty log."""
        rows = self.tail(1)
        return rows[0] if rows else None

    def count(self) -> int:
        """How many entries are stored."""
        with self._scope.session() as s:
            return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)

    def head(self, key: bytes) -> dict[str, Any]:
        """A signed head ``{seq, hash, time, signature}`` of the log as it is now.

        The log's own chain is verified first: signing the head of a tampered log would bless it.
        """
        result = self.verify()
        if result.problem is not None:
            raise ConfigError(
                f"the audit log does not verify ({result.problem.message}); no head signed",
                hint="run `cxops audit verify` and investigate before exporting a head",
            )
        return sign_head(result.last_seq, result.last_hash, utcnow(), key)

    def verify(self, head: dict[str, Any] | None = None, key: bytes | None = None) -> Verification:
        """Recompute the chain; with a head, also check its signature and that it is still there.

        A head whose seq is beyond the log's end means the tail was truncated; one whose hash
        differs from the stored entry at that seq means history was rewritten.
        """
        entries = 0

        def counted() -> Iterator[AuditEntry]:
            nonlocal entries
            for entry in self.iter():
                entries += 1
                yield entry

        last_seq, last_hash, problem = verify_chain(counted())
        if problem is None and head is not None:
            problem = self._check_head(head, key, last_seq)
        return Verification(entries, last_seq, last_hash, problem, head)

    def _check_head(self, head: dict[str, Any], key: bytes | None, last_seq: int) -> Problem | None:
        if key is None or not verify_head_signature(head, key):
            return Problem(
                None, "bad-head-signature", "the head's signature does not verify with this key"
            )
        seq, digest = int(head["seq"]), str(head["hash"])
        if seq > last_seq:
            return Problem(
                last_seq + 1,
                "truncated",
                f"the log ends at seq {last_seq} but the exported head (of {head['time']}) "
                f"has seq {seq}: entries {last_seq + 1}-{seq} were removed",
            )
        if seq == 0:
            return None
        with self._scope.session() as s:
            stored = s.scalar(select(AuditRow.hash).where(AuditRow.seq == seq))
        if stored != digest:
            return Problem(
                seq, "head-mismatch", f"seq {seq} differs from the exported head: history rewritten"
            )
        return None
