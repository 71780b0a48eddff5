"""``cxops promote`` from the command line: profiles, dry run, text and JSON, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from tests.pipelines.promote.profiles import write_profiles

PROJECT = "Appointment Booking"


@pytest.fixture
def profiles(
    emu: EmulatorThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A cxops.toml with profiles dev and prod (keys from env: references) in the cwd."""
    emu.ctx.clock.set_speed(200)
    for var, value in write_profiles(emu, tmp_path, "cognigy").items():
        monkeypatch.setenv(var, value)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown()


def _args(tmp: Path, *extra: str) -> list[str]:
    store = f"sqlite:///{tmp / 'state.db'}"
    return ["promote", "--from", "dev", "--to", "prod", "--project", PROJECT, "--store", store,
            "--rate", "5000", "--concurrency", "32", *extra]  # fmt: skip


def _prod_mutations(emu: EmulatorThread) -> int:
    rows = httpx.get(f"{emu.url}/_emulator/ledger", params={"tenant": "prod"}).json()
    return sum(1 for r in rows["entries"] if not r["path"].startswith("/_emulator"))


def test_dry_run_json_then_promotion_text(
    emu: EmulatorThread, profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dry run prints the plan and gates as JSON and changes nothing; the real run promotes."""
    assert main(_args(profiles, "--dry-run", "--json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["outcome"] == "dry_run" and doc["plan"]["diff"]["bump"] == "minor"
    assert all(g["passed"] for g in doc["gates"])
    assert _prod_mutations(emu) == 0
    code = main(_args(profiles, "--version", "1.1.0", "--repo", str(profiles / "rel")))
    text = capsys.readouterr().out
    assert code == 0, text
    assert "parity 1.0" in text and ": promoted" in text and "tag 1.1.0" in text
    assert _prod_mutations(emu) > 0


def test_usage_errors_exit_2(profiles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Same profile twice, an unknown gate, the lock gate without --repo: usage errors (exit 2)."""
    same = ["promote", "--from", "dev", "--to", "dev"]
    assert main(same) == 2
    assert main(_args(profiles, "--gates", "validation,nope")) == 2
    assert main(_args(profiles, "--gates", "lock")) == 2
    assert "the lock gate compares with the cxops.lock of --repo" in capsys.readouterr().err
    assert main(_args(profiles, "--mechanism", "teleport")) == 2
    err = capsys.readouterr().err  # a choice of --help since issue #16: refused while parsing
    assert "--mechanism" in err and "'teleport' is not one of 'merge', 'repoint'" in err


def test_webhooks_receive_signed_promote_events(
    emu: EmulatorThread,
    profiles: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--webhook (twice) delivers started and completed, signed, to both receivers; steps show."""
    monkeypatch.setenv("TEST_PROMOTE_WEBHOOK_SECRET", emu.ctx.config.webhook_secret)
    hooks = [f"{emu.url}/_emulator/webhooks/promote-{n}" for n in ("a", "b")]
    flags = [f for url in hooks for f in ("--webhook", url)]
    code = main(_args(profiles, *flags, "--webhook-secret-env", "TEST_PROMOTE_WEBHOOK_SECRET"))
    out, err = capsys.readouterr()
    assert code == 0, out
    assert "promote.plan done" in err and "promote.verify done" in err
    assert "promote.deploy merge done" in err  # each deploy stage by name
    for url in hooks:
        got = httpx.get(url).json()
        assert got["rejected"] == 0 and got["duplicates"] == 0
        types = [e["payload"]["type"] for e in got["events"]]
        assert types == ["flow.promote.started", "flow.promote.completed"]
        assert {e["payload"]["data"]["target"] for e in got["events"]} == {"prod"}
    lone = ["--webhook", hooks[0]]
    assert main(_args(profiles, *lone)) == 2
    assert "--webhook and --webhook-secret-env go together" in capsys.readouterr().err


def test_a_rollback_in_words_and_found_by_the_promotion(
    emu: EmulatorThread, profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Verification fails after the deploy: promote prints each gate as a line of evidence and
    names the failed check and its cause; `runs show` has the sections and links the rollback
    run, which `runs list --rollback-of` finds by the promotion's id (or a prefix of it)."""
    from cxops.demo import VERIFY_FAULT

    httpx.post(f"{emu.url}/_emulator/scenario", json={"faults": [VERIFY_FAULT]}).raise_for_status()
    try:
        code = main(_args(profiles))
    finally:
        httpx.post(f"{emu.url}/_emulator/scenario", json={}).raise_for_status()
    out = capsys.readouterr().out
    assert code == 1, out
    lines = out.splitlines()
    assert "  pass  health: 1 of 1 endpoint active" in lines, out
    assert any(ln.startswith("  pass  simulation: 2 of 2 runs passed: playbook '") for ln in lines)
    cause = next(ln for ln in lines if ln.startswith("rolled back: "))
    assert cause.startswith("rolled back: check 'smoke' after the deploy failed: playbook '")
    assert cause.endswith("injected: the playbook run crashed"), cause
    assert "content identical to before" in out
    store = ["--store", f"sqlite:///{profiles / 'state.db'}"]
    assert main(["runs", "list", "--kind", "promote", "--json", *store]) == 0
    [run] = json.loads(capsys.readouterr().out)["runs"]
    promotion = run["id"]
    assert run["error"].startswith("verify: check 'smoke' after the deploy failed: playbook")

    assert main(["runs", "show", promotion[:8], *store]) == 0  # the prefix names the promotion
    shown = capsys.readouterr().out
    titles = [ln for ln in shown.splitlines() if ln and not ln.startswith(" ")]
    assert titles[1:] == ["parameters", "plan", "gates", "after the deploy", "rollback", "steps",
                          "events"], shown  # fmt: skip
    assert f"  rollback run: {promotion}-rollback (succeeded)" in shown
    assert "  rolled back: check 'smoke' after the deploy failed" in shown

    assert main(["runs", "list", "--rollback-of", promotion[:8], "--json", *store]) == 0
    [rollback] = json.loads(capsys.readouterr().out)["runs"]
    assert rollback["id"] == f"{promotion}-rollback" and rollback["kind"] == "rollback"
    assert main(["runs", "show", rollback["id"], *store]) == 0
    assert f"  undid promotion {promotion}: cxops runs show {promotion}" in capsys.readouterr().out
