"""kill -9 inside a promotion, then the next ``cxops promote`` finishes it: one deployment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store
from tests.pipelines.promote.conftest import PROJECT, ledger


def _setup(emu: EmulatorThread, root: Path) -> dict[str, str]:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    lines = []
    for tenant in ("dev", "prod"):
        var = f"TEST_COGNIGY_{tenant.upper()}_KEY"
        env[var] = info[tenant]["credentials"]["admin"]["api_key"]
        base = info[tenant]["base_url"]
        lines += [f"[profiles.{tenant}]", 'vendor = "cognigy"', f'base_url = "{base}"',
                  f'api_key = "env:{var}"', ""]  # fmt: skip
    (root / "cxops.toml").write_text("\n".join(lines), encoding="utf-8")
    return env


def _cli(root: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "cxops", "promote", "--from", "dev", "--to", "prod",
            "--project", PROJECT, "--store", f"sqlite:///{root / 'state.db'}",
            "--rate", "5000", "--concurrency", "32", "--json", *extra]  # fmt: skip
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [11, 12])  # before the merge step's work; after its record
def test_killed_promotion_is_finished_by_the_next_start(
    fast_emu: EmulatorThread, tmp_path: Path, kill_at: int
) -> None:
    """The killed run completes on the next start: one merge on prod, promoted, audit verifies."""
    env = _setup(fast_emu, tmp_path)
    killed = _cli(tmp_path, {**env, KILL_ENV: str(kill_at)})
    assert killed.returncode == -9, killed.stderr[-2000:]
    effects = [r["effect"] for r in ledger(fast_emu, "prod") if r["effect"]]
    assert effects.count("cognigy.package.merge") == (1 if kill_at == 12 else 0)
    nxt = _cli(tmp_path, env, "--dry-run")
    assert nxt.returncode == 0, nxt.stderr[-2000:]
    doc = json.loads(nxt.stdout)
    [resumed] = doc["resumed"]
    assert resumed["summary"]["outcome"] == "promoted", resumed
    assert resumed["summary"]["parity"]["score"] == 1.0
    effects = [r["effect"] for r in ledger(fast_emu, "prod") if r["effect"]]
    assert effects.count("cognigy.package.merge") == 1
    assert effects.count("cognigy.package.upload") == 1
    assert effects.count("cognigy.snapshot.create") == 1
    assert doc["plan"]["diff"]["bump"] == "none"  # prod now holds what dev has
    with Store.open(f"sqlite:///{tmp_path / 'state.db'}") as st:
        assert st.audit.verify().ok
        types = [e.type for e in st.outbox.events()]
        assert types.count("flow.promote.completed") == 1
