"""The audit log: serialized appends, ordered reads, verification and signed heads.

Appends are serialized so that two writers never chain onto the same predecessor: on PostgreSQL
by ``SELECT ... FOR UPDATE`` of the single ``audit_lock`` row, on SQLite by the ``BEGIN
IMMEDIATE`` every store transaction starts with (see ``engine``). The lock is held until the
surrounding transaction commits, so an entry appended inside ``store.transaction()`` is
published together with the state change it describes.

Verification reads every column as text and parses it here, so a row holding garbage (a seq
that is not a number, a time that is not a time, details that are not a JSON object) is
reported as tampering naming the row, never a crash (issue #15). Heads are Ed25519-signed
(``store.keys``); ``verify`` checks the log against any number of them: a head file, and the
``Cxops-Audit-Head`` trailers of an export repository's history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import LargeBinary, String, cast, func, insert, select

from cxops.errors import ConfigError, CxopsError
from cxops.store.actor import TOOL_ACTORS, current_actor
from cxops.store.chain import (
    GENESIS,
    Problem,
    entry_hash,
    sign_head,
    verify_chain,
    verify_head_signature,
    well_formed,
)
from cxops.store.models import AuditLockRow, AuditRow, table_of
from cxops.store.records import AuditEntry
from cxops.store.scope import Scope, utcnow

__all__ = ["Audit", "Unreadable", "Verification"]

_PAGE = 1000


#: The lock row, taken first (PostgreSQL: ``FOR UPDATE``; SQLite holds its write lock already).
#: The last entry is read by the NEXT statement: in READ COMMITTED a statement that waited for
#: the lock still reads with the snapshot it started with, which misses the entry whose
#: transaction held the lock.
_LOCK = select(AuditLockRow.id).where(AuditLockRow.id == 1).with_for_update()
_LAST = select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
_INSERT = insert(table_of(AuditRow))


@dataclass(frozen=True)
class Unreadable:
    """A stored row whose columns do not parse: tampering, reported with the row's key."""

    seq: int | None
    row: str  # the stored seq as text, to name the row
    why: str


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
        """Chain a new entry after the last one; ``details`` must be JSON (no NaN).

        ``actor`` ``"cxops"`` or ``"cli"`` (cxops acting for whoever runs it) is recorded as
        that person or CI identity (``store.actor``, issue #16); any other name as given.
        """
        if actor in TOOL_ACTORS:
            actor = current_actor()
        # A JSON round trip makes what is hashed exactly what the database will give back.
        try:
            clean: dict[str, Any] = json.loads(json.dumps(details or {}, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"audit details are not canonical JSON: {exc}") from exc
        with self._scope.connection() as conn:
            conn.execute(_LOCK)
            last = conn.execute(_LAST).first()
            seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
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
            entry = AuditEntry(
                seq=seq,
                time=now,
                actor=actor,
                action=action,
                subject=subject,
                details=clean,
                prev_hash=prev,
                hash=digest,
            )
            conn.execute(_INSERT, asdict(entry))
            return entry

    def rows(self, *, page: int = _PAGE) -> Iterator[AuditEntry | Unreadable]:
        """Every stored row in seq order, each an entry or, when a column does not parse, an
        :class:`Unreadable` naming it (for ``verify``: garbage is tampering, not a crash).

        Read ``page`` rows per query, keyset-paginated by seq (``seq > last ORDER BY seq
        LIMIT page``), so memory does not grow with the log (``seq`` is an integer primary key
        on both databases: SQLite's rowid alias refuses anything else)."""
        # Stored bytes, not ORM values: SQLite keeps whatever was written, of any type (a blob
        # in a text column would not even decode); PostgreSQL's types hold, so text is enough.
        as_type = LargeBinary if self._scope.dialect == "sqlite" else String
        columns = [
            cast(c, as_type).label(f"c{i}")
            for i, c in enumerate(
                (
                    AuditRow.seq,
                    AuditRow.time,
                    AuditRow.actor,
                    AuditRow.action,
                    AuditRow.subject,
                    AuditRow.details,
                    AuditRow.prev_hash,
                    AuditRow.hash,
                )
            )
        ]
        after: int | None = None
        while True:
            query = select(AuditRow.seq.label("key"), *columns).order_by(AuditRow.seq).limit(page)
            if after is not None:
                query = query.where(AuditRow.seq > after)
            with self._scope.session() as s:
                raw = s.execute(query).all()
            for r in raw:
                yield _parse_row(tuple(_text(v) for v in r[1:]))
            if len(raw) < page:
                return
            after = raw[-1][0]

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

    def current_head(self, key: Ed25519PrivateKey | None) -> dict[str, Any]:
        """The newest entry as a head, signed when a key is given, without verifying the chain
        (cheap: every commit carries one; ``verify`` judges the chain)."""
        try:
            last = self.last()
        except (ValueError, TypeError, CxopsError):  # a garbage row: the last readable one
            last = None
            for row in self.rows():
                last = row if isinstance(row, AuditEntry) else last
        seq, digest = (last.seq, last.hash) if last else (0, GENESIS)
        return sign_head(seq, digest, utcnow(), key)

    def head(self, key: Ed25519PrivateKey | None) -> dict[str, Any]:
        """A head ``{seq, hash, time[, signature]}`` of the log as it is now, signed when a key
        is given.

        The log's own chain is verified first: signing the head of a tampered log would bless it.
        """
        result = self.verify()
        if result.problem is not None:
            raise ConfigError(
                f"the audit log does not verify ({result.problem.message}); no head signed",
                hint="run `cxops audit verify` and investigate before exporting a head",
            )
        return sign_head(result.last_seq, result.last_hash, utcnow(), key)

    def verify(
        self,
        head: dict[str, Any] | None = None,
        key: Ed25519PublicKey | Ed25519PrivateKey | None = None,
        *,
        heads: Iterable[tuple[str, dict[str, Any] | None]] = (),
        page: int = _PAGE,
    ) -> Verification:
        """Recompute the chain; check it against a head and against more ``heads``.

        ``heads`` are ``(where, head)`` pairs (``where`` names the commit a trailer came from;
        a None head is a trailer that did not parse). A head whose seq is beyond the log's end
        means the tail was truncated; one whose hash differs from the stored entry at that seq
        means history was rewritten (re-hashed or not). With a public ``key``, every head must
        carry a valid Ed25519 signature by it, so heads cannot be forged either.

        One pass over :meth:`rows` (``page`` rows per query): memory stays constant in the
        number of entries (only the hashes at the heads' seqs are kept).
        """
        public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
        every = ([("the head file", head)] if head is not None else []) + list(heads)
        wanted = {int(h["seq"]) for _, h in every if h is not None and well_formed(h)}
        scan = _Scan(self.rows(page=page), wanted)
        last_seq, last_hash, problem = verify_chain(scan.entries())
        scan.drain()  # past the chain's first problem: count, and find any unreadable row
        bad = scan.bad
        if bad is not None:  # the most specific report: written by something else than cxops
            if bad.seq is None:
                last_seq, last_hash = 0, GENESIS
            problem = Problem(
                bad.seq,
                "unreadable",
                f"the row with seq {bad.row!r} does not parse ({bad.why}): tampered",
            )
        entries = scan.count
        if problem is None:  # a forged or malformed head first: it is the graver finding
            problem = next(filter(None, (_head_shape(w, h, public) for w, h in every)), None)
        if problem is None:  # then oldest first, so the first divergence is the one named
            ordered = sorted(every, key=lambda h: h[1]["seq"] if h[1] else -1)
            problem = next(
                filter(None, (_check_head(w, h, last_seq, scan.hashes) for w, h in ordered)),
                None,
            )
        return Verification(entries, last_seq, last_hash, problem, head)


class _Scan:
    """One pass over ``rows``: the readable entries up to the first unreadable row (for the
    chain), then the rest; counts rows, keeps the first unreadable one and the hashes at the
    ``wanted`` seqs (the heads'), nothing else."""

    def __init__(self, rows: Iterator[AuditEntry | Unreadable], wanted: set[int]) -> None:
        self._rows = rows
        self._wanted = wanted
        self.count = 0
        self.bad: Unreadable | None = None
        self.hashes: dict[int, str] = {}

    def _take(self, row: AuditEntry | Unreadable) -> bool:
        """Count ``row``; False when it is unreadable."""
        self.count += 1
        if isinstance(row, Unreadable):
            self.bad = self.bad or row
            return False
        if row.seq in self._wanted:
            self.hashes[row.seq] = row.hash
        return True

    def entries(self) -> Iterator[AuditEntry]:
        """Readable entries in seq order, ending at the first unreadable row."""
        for row in self._rows:
            if not self._take(row):
                return
            assert isinstance(row, AuditEntry)
            yield row

    def drain(self) -> None:
        """Take what :meth:`entries` left (the chain stopped at a problem, or at garbage)."""
        for row in self._rows:
            self._take(row)


def _head_shape(
    where: str, head: dict[str, Any] | None, key: Ed25519PublicKey | None
) -> Problem | None:
    if head is None or not well_formed(head):
        return Problem(None, "bad-head", f"{where}: not an audit head")
    if key is not None and not verify_head_signature(head, key):
        return Problem(
            None,
            "bad-head-signature",
            f"{where}: the head's signature does not verify with this public key (forged, "
            "altered or unsigned)",
        )
    return None


def _check_head(
    where: str, head: dict[str, Any] | None, last_seq: int, hashes: dict[int, str]
) -> Problem | None:
    assert head is not None  # _head_shape ran first
    seq, digest = head["seq"], head["hash"]
    if seq > last_seq:
        return Problem(
            last_seq + 1,
            "truncated",
            f"the log ends at seq {last_seq} but {where} (of {head['time']}) has seq {seq}: "
            f"entries {last_seq + 1}-{seq} were removed",
        )
    if seq and hashes.get(seq) != digest:
        return Problem(
            seq,
            "head-mismatch",
            f"seq {seq} differs from {where}: history rewritten",
        )
    return None


def _text(value: Any) -> Any:
    """Stored bytes as text; bytes that are not UTF-8 become None (reported as unreadable)."""
    if isinstance(value, bytes | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value


def _parse_row(raw: tuple[Any, ...]) -> AuditEntry | Unreadable:
    """One row of stored text into an entry, or an Unreadable saying which column is wrong."""
    seq_text = raw[0]
    try:
        seq = int(str(seq_text))
    except (TypeError, ValueError):
        return Unreadable(None, str(seq_text), "seq is not a number")
    time_text, actor, action, subject, details_text, prev_hash, digest = raw[1:]
    try:
        time = _parse_time(time_text)
    except (TypeError, ValueError):
        return Unreadable(seq, str(seq_text), "time is not a timestamp")
    for name, value in (
        ("actor", actor),
        ("action", action),
        ("subject", subject),
        ("prev_hash", prev_hash),
        ("hash", digest),
    ):
        if not isinstance(value, str):
            return Unreadable(seq, str(seq_text), f"{name} is empty")
    try:
        details = json.loads(details_text)
    except (TypeError, ValueError):
        return Unreadable(seq, str(seq_text), "details are not JSON")
    if not isinstance(details, dict):
        return Unreadable(seq, str(seq_text), "details are not a JSON object")
    return AuditEntry(seq, time, actor, action, subject, details, prev_hash, digest)


def _parse_time(value: Any) -> datetime:
    text = str(value).strip().replace("T", " ")
    # Naive as the ORM gives it (SQLite): format_time reads it the same way as before.
    return datetime.fromisoformat(text)
