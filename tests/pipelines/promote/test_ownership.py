"""Runs you can trust (issue #14), as users meet it on the command line, in real processes:

- a killed promotion is finished by no other command, and ``cxops runs cancel`` rolls it back;
- a second promotion to a target another one holds exits 2 and says which run holds it;
- two promotions started at once to one target never overlap on it (the emulator's ledger).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store
from tests.helpers.zygote import Result, Zygote
from tests.pipelines.promote.conftest import PROJECT, ledger
from tests.pipelines.promote.profiles import write_profiles

PROMOTE = ["promote", "--from", "dev", "--to", "prod", "--project", PROJECT,
           "--concurrency", "32", "--json"]  # fmt: skip
DEPLOYS = ("cognigy.snapshot.create", "cognigy.package.upload", "cognigy.package.merge")


@pytest.fixture(scope="module")
def zygotes() -> Iterator[tuple[Zygote, Zygote]]:
    with Zygote() as a, Zygote() as b:
        yield a, b


def _env(emu: EmulatorThread, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    return env | write_profiles(emu, root, "cognigy")


def _beside(root: Path) -> Path:
    """A second working folder with the same profiles: two zygotes at once must not share one
    (each names its output files by its own count)."""
    other = root / "other"
    other.mkdir(exist_ok=True)
    (other / "cxops.toml").write_text((root / "cxops.toml").read_text())
    return other


def _prod(emu: EmulatorThread) -> Counter[str]:
    return Counter(r["effect"] for r in ledger(emu, "prod") if r.get("effect"))


def _runs(store: str, kind: str = "promote") -> list[str]:
    with Store.open(store) as st:
        return [r.id for r in st.runs.list(kind=kind)]


def test_a_killed_promotion_is_left_alone_until_cancelled_then_rolled_back(
    fast_emu: EmulatorThread, tmp_path: Path, zygotes: tuple[Zygote, Zygote]
) -> None:
    """Killed after its upload (past the rollback point): an export and another promotion run
    and leave it alone (the promotion exits 2 naming it); ``runs cancel`` restores prod."""
    z, _ = zygotes
    env, store = _env(fast_emu, tmp_path), f"sqlite:///{tmp_path / 'state.db'}"
    fast = ["--store", store, "--rate", "5000"]
    killed = z.run([*PROMOTE, *fast], {**env, KILL_ENV: "deploy:upload@after_call"}, tmp_path)
    assert killed.returncode == -9, killed.stderr[-2000:]
    [run] = _runs(store)
    # Another command on the same store: it works, and finishes nothing of the promotion.
    export = ["export", "--profile", "dev", "--project", PROJECT, "--repo", "flows", *fast]
    other = z.run([*export, "--json"], env, tmp_path)
    assert other.returncode in (0, 1), other.stderr[-2000:]
    assert json.loads(other.stdout)["resumed"] == []
    # Another promotion to prod: refused, naming the run that holds prod.
    second = z.run([*PROMOTE, *fast, "--gates", "validation"], env, tmp_path)
    assert second.returncode == 2, second.stderr[-2000:]
    assert f"promotion {run} is in progress on prod" in second.stderr
    assert _runs(store) == [run]  # the refused one left no run behind
    effects = _prod(fast_emu)
    assert [effects[e] for e in DEPLOYS] == [1, 1, 0], effects
    with Store.open(store) as st:
        left = st.runs.get(run)
        assert left is not None and left.status == "running"
    # Cancel: the dead process' run is taken over here and rolled back.
    cancelled = z.run(["runs", "cancel", run[:10], "--store", store, "--json"], env, tmp_path)
    assert cancelled.returncode == 1, cancelled.stderr[-2000:]
    doc = json.loads(cancelled.stdout)
    assert (doc["status"], doc["outcome"], doc["rolled_back"]) == ("cancelled", "rolled_back", True)
    assert doc["rollback"]["identical"] is True, doc["rollback"]
    assert "cancelled by `cxops runs cancel`" in doc["error"]
    effects = _prod(fast_emu)
    assert effects["cognigy.snapshot.restore"] == 1 and effects["cognigy.package.merge"] == 0
    with Store.open(store) as st:
        ended = st.runs.get(run)
        assert ended is not None and ended.status == "cancelled"
        assert st.audit.verify().ok
        assert [e.type for e in st.outbox.events(run_id=run)].count("flow.promote.rolled_back") == 1
        actions = [a.action for a in st.audit.iter() if a.subject == run]
        assert "run.cancel_requested" in actions
    # Cancelling again: it already ended (exit 0, says so); prod is free for the next one.
    again = z.run(["runs", "cancel", run, "--store", store], env, tmp_path)
    assert again.returncode == 0 and "already ended: cancelled" in again.stdout
    promoted = z.run([*PROMOTE, *fast], env, tmp_path)
    assert promoted.returncode == 0, promoted.stderr[-2000:]
    assert json.loads(promoted.stdout)["outcome"] == "promoted"


def test_two_promotions_to_one_target_never_overlap(
    fast_emu: EmulatorThread, tmp_path: Path, zygotes: tuple[Zygote, Zygote]
) -> None:
    """Two promotions to prod at once: one deploys (each effect once on prod's ledger), the other
    exits 2 saying which run is in progress on prod, and changes nothing."""
    env, store = _env(fast_emu, tmp_path), f"sqlite:///{tmp_path / 'state.db'}"
    # The first one goes slowly (40 requests/s), so that the second starts while it runs.
    slow = [*PROMOTE, "--store", store, "--rate", "40"]
    fast = [*PROMOTE, "--store", store, "--rate", "5000"]

    def second() -> Result:
        import time

        while not _runs(store):
            time.sleep(0.05)
        return zygotes[1].run(fast, env, _beside(tmp_path))

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(zygotes[0].run, slow, env, tmp_path)
        b = pool.submit(second)
        first, loser = a.result(timeout=600), b.result(timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    winner = json.loads(first.stdout)["run"]
    assert loser.returncode == 2, loser.stderr[-2000:]
    assert f"promotion {winner} is in progress on prod" in loser.stderr
    effects = _prod(fast_emu)
    assert [effects[e] for e in DEPLOYS] == [1, 1, 1], effects
    assert "cognigy.snapshot.restore" not in effects
    assert _runs(store) == [winner]


def test_runs_cancel_stops_a_live_promotion_which_rolls_back(
    fast_emu: EmulatorThread, tmp_path: Path, zygotes: tuple[Zygote, Zygote]
) -> None:
    """A promotion running in one process past its rollback point; ``runs cancel`` from another
    process asks it to stop: it stops at its next step, rolls back in its own process (restored
    identical) and exits 1; the cancelling command waits for that and reports it. A cancel
    given ``--timeout 0.5`` returns first, the run still running (its request stands)."""
    env, store = _env(fast_emu, tmp_path), f"sqlite:///{tmp_path / 'state.db'}"
    # Building the package on dev (the first deploy stage) takes 6 s: the cancel comes meanwhile.
    slow_package = {"vendor": "cognigy", "tenant": "dev", "method": "POST",
                    "path": "/new/v2.0/packages", "action": "latency", "seconds": 6}  # fmt: skip
    fast_emu.ctx.load_scenario(Scenario.parse({"faults": [slow_package]}))
    slow = [*PROMOTE, "--store", store, "--rate", "5000"]

    def cancel_when_deploying() -> Result:
        import time

        while True:
            with Store.open(store) as st:
                runs = st.runs.list(kind="promote")
                point = st.steps.get(f"{runs[0].id}:rollback_point") if runs else None
            if point is not None and point.status == "succeeded":
                break
            time.sleep(0.05)
        cancel = ["runs", "cancel", runs[0].id, "--store", store, "--json"]
        # Not stopped within half a second (it is building the package): the request stands.
        hurried = zygotes[1].run([*cancel, "--timeout", "0.5"], env, _beside(tmp_path))
        assert hurried.returncode == 1, hurried.stderr[-2000:]
        doc = json.loads(hurried.stdout)
        assert (doc["cancelled"], doc["requested"], doc["status"]) == (False, True, "running")
        return zygotes[1].run(cancel, env, _beside(tmp_path))

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(zygotes[0].run, slow, env, tmp_path)
        b = pool.submit(cancel_when_deploying)
        promoted, cancelled = a.result(timeout=600), b.result(timeout=600)
    assert promoted.returncode == 1, promoted.stderr[-2000:]
    doc = json.loads(promoted.stdout)
    assert (doc["status"], doc["outcome"]) == ("cancelled", "rolled_back"), doc.get("error")
    assert doc["rollback"]["identical"] is True
    assert cancelled.returncode == 1, cancelled.stderr[-2000:]
    assert "stops at its next step" in cancelled.stderr
    assert json.loads(cancelled.stdout)["status"] == "cancelled"
    fast_emu.ctx.load_scenario(Scenario.parse({}))
    effects = _prod(fast_emu)
    assert effects["cognigy.snapshot.restore"] == 1 and effects["cognigy.package.merge"] == 0
    assert "cancelled by `cxops runs cancel` before deploy:upload" in doc["error"]
