"""Promotion runs feed the DORA figures of ``cxops metrics`` (dry runs and blocked runs do not
count)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.sinks.metrics import collect
from cxops.store import Store
from tests.pipelines.promote.conftest import PROJECT
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
    first = promote(fast_emu, store_url, repo=repo)
    assert first["outcome"] == "rolled_back"
    fast_emu.ctx.load_scenario(Scenario.parse({}))
    assert promote(fast_emu, store_url, repo=repo)["outcome"] == "promoted"
    # Prod has dev's content now: a promotion with nothing to change deploys nothing and is
    # no deployment (issue #14: it used to upload, merge and count); a dry run says the same.
    assert promote(fast_emu, store_url)["outcome"] == "nothing_to_promote"
    assert promote(fast_emu, store_url, dry_run=True)["outcome"] == "nothing_to_promote"
    # A gate doing its job is not a failed change: a blocked promotion is no deployment.
    blocked = promote(fast_emu, store_url, version="not-semver", force=True)
    assert blocked["outcome"] == "blocked"
    with Store.open(store_url) as st:
        dora = collect(st).dora
    assert (dora.deployments, dora.failed) == (2, 1)
    assert dora.change_failure_rate == 0.5
    ((env, project),) = [(g.environment, g.project) for g in dora.by_project]
    assert (env, project) == ("prod", PROJECT)
    # Per flow: the flows the plan's diff changed (the added "What's New" among them).
    changes = first["plan"]["diff"]["changes"]
    added = [c["id"] for c in changes if c["action"] == "added" and c["what"] == "flow"]
    flows = {g.flow: g for g in dora.by_flow}
    assert added and set(added) <= set(flows)
    assert all(g.deployments == 2 and g.change_failure_rate == 0.5 for g in flows.values())
    assert dora.deployment_frequency is not None and dora.deployment_frequency > 0
    assert dora.time_to_restore_p50 is not None and dora.time_to_restore_p50 > 0
    assert dora.lead_time_p50 is not None and dora.lead_time_p50 >= 0
