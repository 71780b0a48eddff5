"""Promotion runs feed the DORA figures of ``cxops metrics`` (dry runs do not count)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.sinks.metrics import collect
from cxops.store import Store
from tests.pipelines.promote.test_promote import promote
from tests.pipelines.promote.test_rollback import FAULTS


def test_failed_then_good_promotion_gives_dora_figures(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """A rolled-back then a good promotion: failure rate 0.5, a restore time, a lead time."""
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin"}  # fmt: skip
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "the change"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)
    fast_emu.ctx.load_scenario(Scenario.parse({"faults": [FAULTS["deploy"]]}))
    assert promote(fast_emu, store_url, repo=repo)["outcome"] == "rolled_back"
    fast_emu.ctx.load_scenario(Scenario.parse({}))
    assert promote(fast_emu, store_url, repo=repo)["outcome"] == "promoted"
    assert promote(fast_emu, store_url, dry_run=True)["outcome"] == "dry_run"
    with Store.open(store_url) as st:
        dora = collect(st).dora
    assert dora.change_failure_rate == 0.5
    assert dora.deployment_frequency is not None and dora.deployment_frequency > 0
    assert dora.time_to_restore_p50 is not None and dora.time_to_restore_p50 > 0
    assert dora.lead_time_p50 is not None and dora.lead_time_p50 >= 0
