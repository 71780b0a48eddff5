"""Audit heads that cannot be forged or lost: every tampering is found, none is a crash.

A store with eight entries and an export repository whose commits carry the audit head in a
``Cxops-Audit-Head`` trailer (seq 3, then seq 6), signed with an Ed25519 key. ``cxops audit
verify --repo DIR --public-key KEY.pub`` (the public key only) must exit 1 naming the problem
for: a flipped byte, a deleted entry (middle and tail), a reorder, a truncation, a rewrite with
the chain recomputed, entries appended after a cut, a forged head, and garbage column values.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.repo import audit_trailer, commit_run
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.sinks.git import GitRepo
from cxops.store import Store, StoreError
from cxops.store.chain import GENESIS, HEAD_TRAILER, entry_hash, head_from_trailer
from cxops.store.keys import generate_keys, load_public_key
from cxops.transport.settings import resolve_connection

N = 8


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Store, repository with two signed-head commits, keys; triggers dropped (an attacker)."""
    private_pem, public_pem = generate_keys()
    (tmp_path / "audit.pem").write_bytes(private_pem)
    (tmp_path / "audit.pub").write_bytes(public_pem)
    monkeypatch.setenv("CXOPS_AUDIT_SIGNING_KEY", str(tmp_path / "audit.pem"))
    url = f"sqlite:///{tmp_path / 'state.db'}"
    repo = GitRepo.open_or_init(tmp_path / "repo")
    with Store.open(url) as st:
        for i in range(1, N + 1):
            st.audit.append("cxops", "export.completed", f"run-{i}", {"i": i})
            if i in (3, 6):
                repo.write_file(f"note-{i}.txt", f"{i}\n".encode())
                commit_run(
                    repo, f"run-{i}", f"commit {i}", [], [f"note-{i}.txt"], [], audit_trailer(st)
                )
        with st.session() as s:
            s.execute(text("DROP TRIGGER audit_no_update"))
            s.execute(text("DROP TRIGGER audit_no_delete"))
    monkeypatch.delenv("CXOPS_AUDIT_SIGNING_KEY")  # the verifier holds the public key only
    return {"url": url, "repo": repo.root, "pub": str(tmp_path / "audit.pub"), "tmp": tmp_path}


def _verify(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    argv = ["audit", "verify", "--json", "--store", setup["url"], "--repo", str(setup["repo"])]
    code = main([*argv, "--public-key", setup["pub"], *extra])
    out = capsys.readouterr()
    assert "unexpected error" not in out.err, out.err
    return code, json.loads(out.out) if out.out.strip() else {}


def _sql(url: str, sql: str, **params: Any) -> None:
    with Store.open(url) as st, st.session() as s:
        s.execute(text(sql), params)


def _rows(url: str) -> list[dict[str, Any]]:
    with Store.open(url) as st, st.session() as s:
        return [dict(r) for r in s.execute(text("SELECT * FROM audit ORDER BY seq")).mappings()]


def _rechain(url: str, start: int) -> None:
    """Recompute every hash from ``start`` on, as an attacker who rewrote history would."""
    with Store.open(url) as st:
        entries = {e.seq: e for e in st.audit.iter()}
    prev = entries[start - 1].hash if start > 1 else GENESIS
    for seq in sorted(s for s in entries if s >= start):
        e = entries[seq]
        digest = entry_hash(
            seq=seq, time=e.time, actor=e.actor, action=e.action, subject=e.subject,
            details=e.details, prev_hash=prev,
        )  # fmt: skip
        _sql(
            url,
            "UPDATE audit SET prev_hash = :p, hash = :h WHERE seq = :s",
            p=prev,
            h=digest,
            s=seq,
        )
        prev = digest


def test_a_sound_log_verifies_against_every_commit(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Both commits carry a signed head; the log verifies against them with the public key."""
    history = GitRepo(setup["repo"]).trailer_history(HEAD_TRAILER)
    heads = [head_from_trailer(v) for _, v in history]
    assert [h["seq"] for h in heads if h] == [6, 3]
    assert all(h and h["alg"] == "Ed25519" for h in heads)
    code, doc = _verify(setup, capsys)
    assert code == 0, doc
    assert doc["ok"] and doc["entries"] == N and doc["heads_checked"] == 2


@pytest.mark.parametrize(
    ("case", "kind", "seq"),
    [
        ("flip", "hash-mismatch", 2),
        ("delete-middle", "gap", 4),
        ("delete-tail", "truncated", 6),
        ("reorder", "reordered", 2),
        ("truncate", "truncated", 4),
        ("rewrite-and-rechain", "head-mismatch", 3),
        ("cut-and-append", "head-mismatch", 6),
        ("append-unchained", "hash-mismatch", 9),
    ],
)
def test_every_tampering_is_found(
    case: str, kind: str, seq: int, setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each tampering exits 1 with the problem's kind and seq; without heads some would pass."""
    url = setup["url"]
    rows = _rows(url)
    if case == "flip":
        _sql(url, "UPDATE audit SET subject = 'run-X' WHERE seq = 2")
    elif case == "delete-middle":
        _sql(url, "DELETE FROM audit WHERE seq = 4")
    elif case == "delete-tail":
        _sql(url, "DELETE FROM audit WHERE seq >= 6")
    elif case == "reorder":
        a, b = rows[1], rows[2]
        for target, source in ((2, b), (3, a)):
            _sql(
                url,
                "UPDATE audit SET time=:time, actor=:actor, action=:action, subject=:subject, "
                "details=:details, prev_hash=:prev_hash, hash=:hash WHERE seq = :seq",
                **{
                    k: source[k]
                    for k in ("time", "actor", "action", "subject", "prev_hash", "hash")
                },
                details=json.dumps(json.loads(source["details"]))
                if isinstance(source["details"], str)
                else json.dumps(source["details"]),
                seq=target,
            )
    elif case == "truncate":
        _sql(url, "DELETE FROM audit WHERE seq > 3")
    elif case == "rewrite-and-rechain":
        _sql(url, "UPDATE audit SET actor = 'mallory' WHERE seq = 2")
        _rechain(url, 2)
    elif case == "cut-and-append":
        _sql(url, "DELETE FROM audit WHERE seq > 4")
        with Store.open(url) as st:
            for _ in range(N - 4):
                st.audit.append("mallory", "cover.up", "x")
    elif case == "append-unchained":
        with Store.open(url) as st:
            st.audit.append("mallory", "late", "x")
        _sql(url, "UPDATE audit SET prev_hash = :p WHERE seq = 9", p="f" * 64)
    code, doc = _verify(setup, capsys)
    assert code == 1, doc
    assert (doc["problem"]["kind"], doc["problem"]["seq"]) == (kind, seq), doc["problem"]


def test_without_heads_a_rechained_rewrite_or_a_cut_tail_would_pass(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Why the trailers matter: the chain alone accepts a rechained rewrite."""
    _sql(setup["url"], "UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    _rechain(setup["url"], 2)
    assert main(["audit", "verify", "--store", setup["url"]]) == 0
    capsys.readouterr()
    assert _verify(setup, capsys)[0] == 1


def test_a_forged_head_with_only_the_public_key_is_refused(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """An attacker rewrites and rechains, then commits a head they cannot sign: exit 1."""
    url = setup["url"]
    _sql(url, "UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    _rechain(url, 2)
    with Store.open(url) as st:
        last = st.audit.last()
    assert last is not None
    repo = GitRepo(setup["repo"])
    # Forged trailers: unsigned, and with someone else's signature (they hold no private key).
    other_private, _ = generate_keys()
    (setup["tmp"] / "other.pem").write_bytes(other_private)
    for forged in (
        f"seq={last.seq} hash={last.hash} time=2026-01-01T00:00:00.000000Z",
        f"seq={last.seq} hash={last.hash} time=2026-01-01T00:00:00.000000Z key=x sig=AAAA",
    ):
        repo.write_file("forged.txt", forged.encode())
        commit_run(repo, f"forged-{len(forged)}", "forged", [], ["forged.txt"], [], forged)
        code, doc = _verify(setup, capsys)
        assert code == 1 and doc["problem"]["kind"] == "bad-head-signature", doc
    # A head file forged the same way is refused too.
    head = setup["tmp"] / "head.json"
    head.write_text(json.dumps({"format": "cxops.audit-head/2", "seq": last.seq, "hash": last.hash,
                                "time": "2026-01-01T00:00:00.000000Z", "alg": "Ed25519",
                                "signature": "AAAA"}))  # fmt: skip
    code = main(
        ["audit", "verify", "--store", url, "--head", str(head), "--public-key", setup["pub"]]
    )
    assert code == 1
    assert "bad-head-signature" in capsys.readouterr().err
    assert load_public_key(setup["pub"])  # the verifier needed nothing else


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("seq", "'abc'"),
        ("time", "'yesterday'"),
        ("time", "12345"),
        ("details", "'not json'"),
        ("details", "'[1, 2]'"),
        ("details", "'null'"),
        ("hash", "NULL"),
        ("prev_hash", "x'00ff'"),
        ("actor", "NULL"),
    ],
)
def test_garbage_column_values_are_tampering_not_a_crash(
    column: str, value: str, setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Any unreadable value exits 1, naming the row; never exit 4."""
    url = setup["url"]
    try:
        _sql(url, f"UPDATE audit SET {column} = {value} WHERE seq = 5")
    except StoreError:  # NOT NULL: the database itself refuses the garbage; the log stays sound
        assert _verify(setup, capsys)[0] == 0
        return
    code, doc = _verify(setup, capsys)
    assert code == 1, doc
    problem = doc["problem"]
    assert problem["kind"] in ("unreadable", "hash-mismatch", "broken-link", "gap"), problem
    if problem["kind"] == "unreadable":
        assert "5" in problem["message"] or "abc" in problem["message"]
    assert main(["audit", "show", "--store", url, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["entries"]
    assert len(shown) == N


def test_export_commits_carry_a_signed_audit_head(
    emu: EmulatorThread,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A real export's commit has the Cxops-Audit-Head trailer, signed; verify --repo uses it."""
    private_pem, public_pem = generate_keys()
    (tmp_path / "k.pem").write_bytes(private_pem)
    (tmp_path / "k.pub").write_bytes(public_pem)
    monkeypatch.setenv("CXOPS_AUDIT_SIGNING_KEY", str(tmp_path / "k.pem"))
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    settings = resolve_connection(
        {"vendor": "cognigy", "base_url": info["base_url"],
         "api_key": info["credentials"]["readonly"]["api_key"]},
        environ={},
    )  # fmt: skip
    url = f"sqlite:///{tmp_path / 'state.db'}"
    repo = tmp_path / "repo"
    options = ExportOptions(repo=repo, store=url, project="Flawed - Flow Cycle",
                            transport={"rate": 5000.0, "burst": 5000.0})  # fmt: skip
    out = asyncio.run(run_export(settings, options))
    assert out["status"] == "succeeded", out
    message = subprocess.run(
        ["git", "log", "-1", "--format=%B"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert f"{HEAD_TRAILER}: seq=" in message and " sig=" in message
    monkeypatch.delenv("CXOPS_AUDIT_SIGNING_KEY")
    code = main(
        [
            "audit",
            "verify",
            "--store",
            url,
            "--repo",
            str(repo),
            "--public-key",
            str(tmp_path / "k.pub"),
        ]
    )
    assert code == 0, capsys.readouterr().err
