"""The pure hash chain: any single tampering of a generated log is found at the right entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.store.chain import GENESIS, entry_hash, sign_head, verify_chain, verify_head_signature
from cxops.store.records import AuditEntry

T0 = datetime(2026, 1, 1, tzinfo=UTC)
texts = st.text(min_size=1, max_size=8)
details = st.dictionaries(
    st.text(max_size=4), st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=4), max_size=3
)


def build(rows: list[tuple[str, str, dict[str, object]]]) -> list[AuditEntry]:
    """A valid chain from (actor, action, details) rows."""
    out: list[AuditEntry] = []
    prev = GENESIS
    for i, (actor, action, det) in enumerate(rows, start=1):
        time = T0 + timedelta(seconds=i)
        digest = entry_hash(
            seq=i, time=time, actor=actor, action=action, subject="s", details=det, prev_hash=prev
        )
        out.append(AuditEntry(i, time, actor, action, "s", det, prev, digest))
        prev = digest
    return out


logs = st.lists(st.tuples(texts, texts, details), min_size=2, max_size=12).map(build)


@given(logs)
def test_generated_chains_verify(log: list[AuditEntry]) -> None:
    """A chain built by the rules verifies, ending at its last entry."""
    assert verify_chain(log) == (len(log), log[-1].hash, None)


@settings(max_examples=60)
@given(logs, st.data())
def test_any_changed_field_is_found_at_its_entry(
    log: list[AuditEntry], data: st.DataObject
) -> None:
    """Changing any field of any entry is reported at that entry."""
    i = data.draw(st.integers(0, len(log) - 1))
    field = data.draw(st.sampled_from(["actor", "action", "subject", "details", "time", "hash"]))
    entry = log[i]
    changed = {
        "actor": entry.actor + "x",
        "action": entry.action + "x",
        "subject": entry.subject + "x",
        "details": {**entry.details, "tampered": 1},
        "time": entry.time + timedelta(microseconds=1),
        "hash": GENESIS,
    }[field]
    log[i] = replace(entry, **{field: changed})
    _, _, problem = verify_chain(log)
    assert problem is not None and problem.seq == i + 1 and problem.kind == "hash-mismatch"


@settings(max_examples=60)
@given(logs, st.data())
def test_deleted_entry_is_a_gap(log: list[AuditEntry], data: st.DataObject) -> None:
    """Removing any entry but the last is a gap at its seq."""
    i = data.draw(st.integers(0, len(log) - 2))
    del log[i]
    _, _, problem = verify_chain(log)
    assert problem is not None and (problem.seq, problem.kind) == (i + 1, "gap")


@settings(max_examples=60)
@given(logs, st.data())
def test_swapped_entries_are_reordered(log: list[AuditEntry], data: st.DataObject) -> None:
    """Moving two entries into each other's seq is reported as reordered at the earlier one."""
    i = data.draw(st.integers(0, len(log) - 2))
    j = data.draw(st.integers(i + 1, len(log) - 1))
    a, b = log[i], log[j]
    log[i], log[j] = replace(b, seq=a.seq), replace(a, seq=b.seq)
    _, _, problem = verify_chain(log)
    assert problem is not None and (problem.seq, problem.kind) == (i + 1, "reordered")


@given(st.integers(0, 10**6), st.binary(min_size=32, max_size=32))
def test_head_signature_round_trip(seq: int, seed: bytes) -> None:
    """A signed head verifies with its public key, and not after any field changes."""
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key()
    head = sign_head(seq, "a" * 64, T0, key)
    assert verify_head_signature(head, public)
    assert not verify_head_signature(dict(head, seq=seq + 1), public)
    assert not verify_head_signature(dict(head, hash="b" * 64), public)
    assert not verify_head_signature(dict(head, time="2027-01-01T00:00:00.000000Z"), public)
    other = Ed25519PrivateKey.from_private_bytes(bytes(b ^ 1 for b in seed)).public_key()
    assert not verify_head_signature(head, other)
