"""CXone promotion on the real save answer and history: new masterIds recorded, a rollback
through prod's 150-version history (plain and wrapped) in one unpaged request, and inactive
scripts never saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.cxone.fixtures import INACTIVE_SCRIPT, LONG_HISTORY
from cxops.emulator.cxone.store import HISTORY_WRAPS, CxoneTenant
from cxops.pipelines.promote.cxone import stage_name, stage_script
from tests.pipelines.promote.cxone_helpers import effects, fail_calls
from tests.pipelines.promote.test_cxone_promote import (
    MAIN,
    PAY,
    SAVE,
    fingerprint,
    prod_bundle,
    promote,
)

_BODY = ("actions", "properties", "branches")


def _unit(emu: EmulatorThread, tenant: str = "prod") -> CxoneTenant:
    unit: CxoneTenant = emu.ctx.tenant("cxone", tenant)
    return unit


def _body(script: dict[str, Any]) -> list[Any]:
    return [script[k] for k in _BODY]


def _history_requests(emu: EmulatorThread) -> int:
    rows = httpx.get(f"{emu.url}/_emulator/requests", params={"vendor": "cxone"}).json()
    return sum(
        1
        for r in rows["entries"]
        if r["tenant"] == "prod" and r["path"].endswith("/scripts/historyByName")
    )


def test_a_promotion_saves_each_changed_script_once_and_records_its_new_master_id(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """dev → prod Billing: Payment_IVR then Billing_Main, one save each; each stage records the
    masterId the save answer minted (prod's current version now), and dev's inactive
    Billing\\Promo_2025 is not part of the promotion at all."""
    out = promote(fast_emu, store_url, tmp_path)
    assert out["outcome"] == "promoted", out.get("error")
    assert effects(fast_emu) == [(SAVE, PAY), (SAVE, MAIN)]
    assert list(out["deploy"]) == [stage_name(PAY), stage_name(MAIN)]
    prod = _unit(fast_emu)
    for stage, done in out["deploy"].items():
        current = prod.current(stage_script(stage))
        assert current is not None and done["saved"] is True
        assert done["master_id"] == current.master_id and done["status"] == 200
        assert out["id_map"][stage_script(stage)]["target"] == str(current.master_id)
    assert len(prod.scripts[MAIN]) == LONG_HISTORY[2] + 1
    assert prod.resolve(INACTIVE_SCRIPT) is None
    assert INACTIVE_SCRIPT not in out["id_map"]
    assert not _unit(fast_emu, "dev").is_active(INACTIVE_SCRIPT)


@pytest.mark.parametrize("wrap", HISTORY_WRAPS)
def test_rollback_restores_the_recorded_version_out_of_a_150_version_history(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path, wrap: str
) -> None:
    """prod's Billing_Main has 150 versions, each older one different. A failed smoke call
    rolls back: the version recorded at the rollback point is saved again (content identical
    to before, not any older revision), found in one unpaged historyByName request, whether
    the tenant wraps the history or not."""
    tenant, path, count = LONG_HISTORY
    assert (tenant, path) == ("prod", MAIN)
    prod = _unit(fast_emu)
    prod.history_wrap = wrap
    before = prod_bundle(fast_emu)
    recorded = prod.scripts[MAIN][-1]
    assert len(prod.scripts[MAIN]) == count
    fail_calls(fast_emu, "prod", PAY, "payment prompt missing")
    out = promote(fast_emu, store_url, tmp_path)
    assert out["outcome"] == "rolled_back", out.get("error")
    point = {r["script"]: r["master_id"] for r in out["rollback_point"]["scripts"]}
    assert point == {PAY: None, MAIN: recorded.master_id}
    promoted = out["deploy"][stage_name(MAIN)]["master_id"]
    assert promoted == prod.scripts[MAIN][-2].master_id != recorded.master_id
    restored = out["rollback"]["restored"]
    assert [r["script"] for r in restored["restored"]] == [MAIN]
    assert restored["deleted"] == [PAY] and restored["identical"] is True
    assert len(prod.scripts[MAIN]) == count + 2  # the promotion's save, the restoring save
    assert _body(prod.scripts[MAIN][-1].script) == _body(recorded.script)
    assert _body(prod.scripts[MAIN][-1].script) != _body(prod.scripts[MAIN][0].script)
    assert fingerprint(prod_bundle(fast_emu)) == fingerprint(before)
    assert _history_requests(fast_emu) == 1
    assert effects(fast_emu) == [
        (SAVE, PAY),
        (SAVE, MAIN),
        (SAVE, MAIN),
        ("cxone.script.delete", PAY),
    ]


def test_an_inactive_target_script_is_never_saved_over(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """prod's Common\\Callback_Queue retired in Studio: prod's default listing no longer shows
    it, so the plan would save dev's over it; the deploy refuses before any save (not even the
    other new scripts of the folder), naming it, and it stays inactive."""
    retired = "Common\\Callback_Queue"
    prod = _unit(fast_emu)
    prod.deactivate(retired)
    out = promote(fast_emu, store_url, tmp_path, project="Common", tests=None)
    assert out["outcome"] == "rolled_back", out.get("error")
    assert stage_name(retired) in out["plan"]["stages"]
    assert out["rollback_point"]["inactive"] == [retired]
    assert "inactive" in out["error"] and retired in out["error"]
    assert effects(fast_emu) == []
    assert not prod.is_active(retired)
