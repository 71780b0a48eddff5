"""kill -9 right after a CXone vendor effect, before cxops recorded it (the ``after_call``
boundary of the last save stage and of the rollback), each time resumed by a new process: every
save and every delete happens once, and prod ends with the content it had before. (The kill
matrix over every boundary is tests/pipelines/promote/test_kill.py's, for Cognigy.)"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cxops.emulator import EmulatorThread
from cxops.pipelines.promote.cxone import stage_name
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store
from tests.helpers.zygote import Zygote
from tests.pipelines.promote.cxone_helpers import calls_doc, effects, fail_calls
from tests.pipelines.promote.profiles import write_profiles

MAIN, PAY = "Billing\\Billing_Main", "Billing\\Payment_IVR"


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    with Zygote() as z:
        yield z
    if z.proc.stdout is not None:  # Zygote.close leaves its answer pipe open (ResourceWarning)
        z.proc.stdout.close()


def _setup(emu: EmulatorThread, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    env |= write_profiles(emu, root, "cxone")
    (root / "tests.yaml").write_text(yaml.safe_dump(calls_doc(emu, MAIN, PAY)), "utf-8")
    return env


@pytest.mark.slow
def test_kills_after_each_save_and_the_restore_repeat_no_effect(
    emu: EmulatorThread, tmp_path: Path, zygote: Zygote
) -> None:
    """Smoke fails on prod, so the run rolls back; killed after Billing_Main's save and after
    the restore's calls: two saves, one restore save, one delete, identical content."""
    emu.ctx.clock.set_speed(200)
    env = _setup(emu, tmp_path)
    fail_calls(emu, "prod", PAY, "payment prompt missing")
    store = f"sqlite:///{tmp_path / 'state.db'}"
    args = ["promote", "--from", "dev", "--to", "prod", "--project", "Billing",
            "--tests", "tests.yaml", "--store", store,
            "--rate", "5000", "--concurrency", "32", "--json"]  # fmt: skip
    kills = [f"deploy:{stage_name(MAIN)}@after_call", "rollback@after_call"]
    first = zygote.run(args, {**env, KILL_ENV: kills[0]}, tmp_path)
    assert first.returncode == -9, first.stderr[-2000:]
    with Store.open(store) as st:
        [run] = st.runs.list(kind="promote")
    resume = ["runs", "resume", run.id, "--store", store, "--json"]
    for label in kills[1:]:
        killed = zygote.run(resume, {**env, KILL_ENV: label}, tmp_path)
        assert killed.returncode == -9, (label, killed.returncode, killed.stderr[-2000:])
    done = zygote.run(resume, env, tmp_path)
    assert done.stdout, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert out["outcome"] == "rolled_back", out.get("error")
    assert out["rollback"]["restored"]["identical"] is True
    assert effects(emu) == [
        ("cxone.script.save", PAY),
        ("cxone.script.save", MAIN),
        ("cxone.script.save", MAIN),  # the recorded version, saved again once
        ("cxone.script.delete", PAY),
    ]
