"""The audit log: a sound chain, serialized concurrent appends, every kind of tampering found."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event, text

from cxops.errors import ConfigError
from cxops.store import Store, load_public_key, load_signing_key
from cxops.store.chain import GENESIS, entry_hash
from cxops.store.keys import generate_keys

KEY = Ed25519PrivateKey.from_private_bytes(b"k" * 32)
N = 6


@pytest.fixture
def log(store: Store) -> Store:
    """A store with N audit entries and the append-only triggers removed (as an attacker would)."""
    for i in range(1, N + 1):
        store.audit.append(f"actor{i}", "export.completed", f"run-{i}", {"i": i, "note": "ok"})
    with store.session() as s:
        if store.dialect == "postgresql":
            s.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
        else:
            s.execute(text("DROP TRIGGER audit_no_update"))
            s.execute(text("DROP TRIGGER audit_no_delete"))
    return store


def _sql(store: Store, sql: str, **params: Any) -> None:
    with store.session() as s:
        s.execute(text(sql), params)


def _row(store: Store, seq: int) -> dict[str, Any]:
    with store.session() as s:
        row = s.execute(text("SELECT * FROM audit WHERE seq = :s"), {"s": seq}).mappings().one()
        return dict(row)


def _put(store: Store, row: dict[str, Any]) -> None:
    row = dict(row, details=_json(row))
    cols = ", ".join(row)
    _sql(store, f"INSERT INTO audit ({cols}) VALUES ({', '.join(':' + c for c in row)})", **row)


def _flip(value: str) -> str:
    """Change one character (a single flipped byte of the stored text)."""
    return value[:-1] + ("0" if value[-1] != "0" else "1")


def test_chain_links_each_entry_to_the_previous(store: Store) -> None:
    """Entries get consecutive seqs; each prev_hash is the previous hash; hashes recompute."""
    a = store.audit.append("alice", "export.started", "run-1", {"n": 1.5, "tags": ["x"]})
    b = store.audit.append("bob", "export.completed", "run-1")
    assert (a.seq, b.seq) == (1, 2)
    assert a.prev_hash == GENESIS and b.prev_hash == a.hash
    assert a.hash == entry_hash(
        seq=1,
        time=a.time,
        actor="alice",
        action="export.started",
        subject="run-1",
        details={"n": 1.5, "tags": ["x"]},
        prev_hash=GENESIS,
    )
    assert [e.seq for e in store.audit.iter()] == [1, 2]
    result = store.audit.verify()
    assert result.ok and result.entries == 2 and result.last_hash == b.hash


def test_empty_log_verifies(store: Store) -> None:
    """An empty log is valid, and so is a head exported from it."""
    assert store.audit.verify().ok
    head = store.audit.head(KEY)
    assert head["seq"] == 0 and store.audit.verify(head, KEY).ok


def test_concurrent_appends_form_one_chain(store_url: str) -> None:
    """Writers on separate connections appending at once still yield one unbroken chain."""
    writers, each = 4, 15
    stores = [Store.open(store_url) for _ in range(writers)]
    errors: list[BaseException] = []

    def write(st: Store, w: int) -> None:
        try:
            for i in range(each):
                st.audit.append(f"w{w}", "append", f"{w}-{i}")
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(st, w)) for w, st in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        result = stores[0].audit.verify()
        assert result.ok, result.problem
        assert result.entries == writers * each
        assert [e.seq for e in stores[0].audit.iter()] == list(range(1, writers * each + 1))
    finally:
        for st in stores:
            st.close()


@pytest.mark.parametrize("field", ["actor", "action", "subject", "details", "prev_hash", "hash"])
def test_flipped_byte_found_at_every_position(log: Store, field: str) -> None:
    """Changing one character of any field of any entry names that entry as a hash mismatch."""
    for seq in range(1, N + 1):
        original = _row(log, seq)
        if field == "details":  # one character of the stored JSON text
            flipped = _json(original).replace('"ok"', '"oK"')
        else:
            flipped = _flip(original[field])
        _sql(log, f"UPDATE audit SET {field} = :v WHERE seq = :s", v=flipped, s=seq)
        problem = log.audit.verify().problem
        assert problem is not None, (field, seq)
        assert (problem.seq, problem.kind) == (seq, "hash-mismatch"), problem
        _sql(
            log, f"UPDATE audit SET {field} = :v WHERE seq = :s", v=_restore(original, field), s=seq
        )
        assert log.audit.verify().ok


def _json(row: dict[str, Any]) -> str:
    value = row["details"]
    return value if isinstance(value, str) else json.dumps(value)


def _restore(row: dict[str, Any], field: str) -> Any:
    return _json(row) if field == "details" else row[field]


def test_rewritten_and_rehashed_entry_breaks_the_next_link(log: Store) -> None:
    """Rewriting an entry and recomputing its own hash is caught at the next entry's link."""
    for seq in range(1, N):
        original = _row(log, seq)
        forged = entry_hash(
            seq=seq,
            time=log.audit.tail(N)[seq - 1].time,
            actor="mallory",
            action=original["action"],
            subject=original["subject"],
            details={"i": seq, "note": "ok"},
            prev_hash=original["prev_hash"],
        )
        _sql(log, "UPDATE audit SET actor='mallory', hash=:h WHERE seq=:s", h=forged, s=seq)
        problem = log.audit.verify().problem
        assert problem is not None and (problem.seq, problem.kind) == (seq + 1, "broken-link")
        _sql(log, "UPDATE audit SET actor=:a, hash=:h WHERE seq=:s", **_restore_args(original))
        assert log.audit.verify().ok


def _restore_args(row: dict[str, Any]) -> dict[str, Any]:
    return {"a": row["actor"], "h": row["hash"], "s": row["seq"]}


def test_deleted_entry_found_at_every_position(log: Store) -> None:
    """Deleting any entry but the last is a gap named at its seq; the last needs a head."""
    head = log.audit.head(KEY)
    for seq in range(1, N + 1):
        original = _row(log, seq)
        _sql(log, "DELETE FROM audit WHERE seq = :s", s=seq)
        problem = log.audit.verify(head, KEY).problem
        assert problem is not None, seq
        if seq < N:
            assert (problem.seq, problem.kind) == (seq, "gap")
        else:
            assert log.audit.verify().ok  # without the head, a cut tail looks fine
            assert (problem.seq, problem.kind) == (N, "truncated")
        _put(log, original)
        assert log.audit.verify(head, KEY).ok


def test_reordered_entries_found_for_every_pair(log: Store) -> None:
    """Swapping any two entries is reported as reordered at the earlier seq."""
    cols = ["time", "actor", "action", "subject", "details", "prev_hash", "hash"]
    for i in range(1, N + 1):
        for j in range(i + 1, N + 1):
            a, b = _row(log, i), _row(log, j)
            _write(log, cols, i, b)
            _write(log, cols, j, a)
            problem = log.audit.verify().problem
            assert problem is not None and (problem.seq, problem.kind) == (i, "reordered"), (
                i,
                j,
                problem,
            )
            _write(log, cols, i, a)
            _write(log, cols, j, b)
            assert log.audit.verify().ok


def _write(store: Store, cols: list[str], seq: int, source: dict[str, Any]) -> None:
    """Overwrite the row at ``seq`` with ``source``'s columns (moving an entry to another seq)."""
    sets = ", ".join(f"{c} = :{c}" for c in cols)
    values = {c: (_json(source) if c == "details" else source[c]) for c in cols}
    _sql(store, f"UPDATE audit SET {sets} WHERE seq = :seq", seq=seq, **values)


def test_truncated_tail_found_against_head(log: Store) -> None:
    """Cutting the log after any seq is found against a head exported before the cut."""
    head = log.audit.head(KEY)
    rows = [_row(log, s) for s in range(1, N + 1)]
    for keep in range(N):
        _sql(log, "DELETE FROM audit WHERE seq > :k", k=keep)
        assert log.audit.verify().ok
        problem = log.audit.verify(head, KEY).problem
        assert problem is not None and (problem.seq, problem.kind) == (keep + 1, "truncated")
        for row in rows[keep:]:
            _put(log, row)
    assert log.audit.verify(head, KEY).ok


def test_truncated_then_regrown_log_mismatches_head(log: Store) -> None:
    """Cutting the tail and appending new entries up to the head's seq is still found."""
    head = log.audit.head(KEY)
    _sql(log, "DELETE FROM audit WHERE seq > 3")
    for _ in range(N - 3):
        log.audit.append("mallory", "cover.up", "x")
    assert log.audit.verify().ok
    problem = log.audit.verify(head, KEY).problem
    assert problem is not None and (problem.seq, problem.kind) == (N, "head-mismatch")


def test_head_signature_is_checked(store: Store) -> None:
    """A head altered after signing, or checked with another key, does not verify."""
    store.audit.append("a", "b", "c")
    head = store.audit.head(KEY)
    assert store.audit.verify(head, KEY).ok
    other = Ed25519PrivateKey.from_private_bytes(b"x" * 32).public_key()
    assert store.audit.verify(head, other).problem.kind == "bad-head-signature"  # type: ignore[union-attr]
    forged = dict(head, seq=0)
    assert store.audit.verify(forged, KEY).problem.kind == "bad-head-signature"  # type: ignore[union-attr]
    assert store.audit.verify({"seq": 1}, KEY).problem.kind == "bad-head"  # type: ignore[union-attr]


def test_signing_keys_load_from_files_and_env_or_say_why_not(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PEM files and env: references load; a missing variable or a non-key is a ConfigError."""
    private_pem, public_pem = generate_keys()
    (tmp_path / "k.pem").write_bytes(private_pem)
    (tmp_path / "k.pub").write_bytes(public_pem)
    key = load_signing_key(str(tmp_path / "k.pem"))
    assert load_public_key(str(tmp_path / "k.pub")) == key.public_key()
    monkeypatch.setenv("AUDIT_PEM", private_pem.decode())
    assert load_signing_key("env:AUDIT_PEM").public_key() == key.public_key()
    with pytest.raises(ConfigError, match="AUDIT_MISSING is not set"):
        load_signing_key("env:AUDIT_MISSING")
    (tmp_path / "bad.pem").write_text("not a key")
    with pytest.raises(ConfigError, match="not an unencrypted Ed25519 private key"):
        load_signing_key(str(tmp_path / "bad.pem"))
    with pytest.raises(ConfigError, match="not an Ed25519 public key"):
        load_public_key(str(tmp_path / "bad.pem"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_signing_key(str(tmp_path / "nope.pem"))


def test_head_of_a_tampered_log_is_refused(log: Store) -> None:
    """No head is signed over a log whose chain does not verify."""
    _sql(log, "UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    with pytest.raises(ConfigError, match="does not verify"):
        log.audit.head(KEY)


def test_details_that_cannot_be_canonical_are_refused(store: Store) -> None:
    """Details outside I-JSON (NaN, integers beyond 2**53) are refused; nothing is appended."""
    with pytest.raises(ValueError, match="canonical"):
        store.audit.append("a", "b", "c", {"n": 2**60})
    with pytest.raises(ValueError, match="canonical"):
        store.audit.append("a", "b", "c", {"n": float("nan")})
    assert store.audit.count() == 0


def _audit_selects(store: Store, run: Any) -> tuple[Any, list[str]]:
    """``run()``'s result and every SELECT it sent that reads the audit table."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM audit" in statement:
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        return run(), seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


@pytest.mark.parametrize(("n", "page"), [(250, 100), (250, 50), (600, 50)])
def test_verify_reads_the_log_a_page_at_a_time(store: Store, n: int, page: int) -> None:
    """verify and rows send one LIMITed query per page (n // page + 1: the last one finds the
    end), so memory does not grow with the log; a flip past the first pages is still found."""
    with store.transaction() as tx:
        for i in range(n):
            tx.audit.append("cxops", "export.succeeded", f"run-{i}", {"i": i})
    result, selects = _audit_selects(store, lambda: store.audit.verify(page=page))
    assert result.ok and result.entries == n and result.last_seq == n
    assert len(selects) == n // page + 1, selects
    assert all("LIMIT" in s.upper() for s in selects)
    rows, selects = _audit_selects(store, lambda: [r.seq for r in store.audit.rows(page=page)])
    assert rows == list(range(1, n + 1)) and len(selects) == n // page + 1
    with store.session() as s:  # tamper past the first pages, as an attacker without triggers
        if store.dialect == "postgresql":
            s.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
        else:
            s.execute(text("DROP TRIGGER audit_no_update"))
    _sql(store, "UPDATE audit SET subject = 'run-x' WHERE seq = :s", s=n - 3)
    problem = store.audit.verify(page=page).problem
    assert problem is not None and (problem.kind, problem.seq) == ("hash-mismatch", n - 3)
