"""A rollback whose restore runs but does not give back identical content ends
``rollback_failed`` (issue #14): the loudest outcome, never ``rolled_back``."""

from __future__ import annotations

from pathlib import Path

from cxops.cli.promote import render
from cxops.emulator import EmulatorThread
from cxops.store import Store
from tests.pipelines.promote.cxone_helpers import effects, scenario
from tests.pipelines.promote.test_cxone_promote import (
    MAIN,
    PAY,
    SAVE,
    fingerprint,
    prod_bundle,
    promote,
)

# The second save (Billing_Main, after Payment_IVR was created) answers 503: the deploy fails
# and the promotion rolls back. Prod then answers the restore's DELETE of Payment_IVR with 404,
# which the deployer reads as "already gone": the restore ends, yet Payment_IVR is still there.
FAULTS = (
    {"vendor": "cxone", "tenant": "prod", "method": "POST", "path": "/inContactAPI/*/scripts",
     "action": "error", "status": 503, "calls": [2]},
    {"vendor": "cxone", "tenant": "prod", "method": "DELETE", "path": "/inContactAPI/*/scripts",
     "action": "error", "status": 404},
)  # fmt: skip


def test_a_restore_that_leaves_other_content_ends_rollback_failed(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """The restore returns, prod still holds the script the promotion created: outcome
    rollback_failed, run and rollback run failed, exit 1, the summary and the screen say the
    content differs; the audit log verifies."""
    before = prod_bundle(fast_emu)
    scenario(fast_emu, *FAULTS)
    out = promote(fast_emu, store_url, tmp_path)
    scenario(fast_emu)
    assert out["outcome"] == "rollback_failed", out.get("error")
    assert "did not restore identical content" in out["error"] and "503" in out["error"]
    rollback = out["rollback"]
    assert rollback["identical"] is False
    assert rollback["target_hash_restored"] != out["plan"]["target_hash_before"]
    assert rollback["restored"]["deleted"] == []  # the 404 read as already gone
    after = prod_bundle(fast_emu)
    assert sorted(f.id for f in after.flows) == sorted([MAIN, PAY])
    assert fingerprint(after) != fingerprint(before)
    assert effects(fast_emu) == [(SAVE, PAY)]  # the delete never happened
    with Store.open(store_url) as st:
        run = st.runs.get(out["run"])
        assert run is not None and run.status == "failed"
        restore = st.runs.get(f"{out['run']}-rollback")
        assert restore is not None and restore.status == "failed"
        assert st.audit.verify().ok
    assert render(out, as_json=False) == 1
