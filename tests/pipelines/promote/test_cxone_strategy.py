"""The CXone strategy on the emulator, step by step (what the workflow calls, in its order):
stages callees first, one save per changed script, no second save on a re-run, a 409 naming the
script and its errors, restore back to the same content with created scripts deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import ServerError, UsageError
from cxops.model.bundle import Bundle, Edge, Flow, Node, Ref
from cxops.pipelines.promote.cxone import CxoneStrategy, deploy_order, stage_name, stage_script
from cxops.pipelines.promote.parity import parity, stable_hash
from cxops.pipelines.promote.strategy import Context
from cxops.vendors.deploy.cxone import ScriptRejected
from tests.pipelines.promote.cxone_helpers import effects, params, plan, scenario

MAIN, PAY = "Billing\\Billing_Main", "Billing\\Payment_IVR"


@pytest.fixture
async def ctx(emu: EmulatorThread) -> AsyncIterator[Context]:
    emu.ctx.clock.set_speed(200)  # saves take 0.05 emulated seconds
    context = Context("c" * 32, params(emu))
    yield context
    await context.aclose()


def _flow(fid: str, *calls: str) -> Flow:
    nodes = [Node(id="1", type="BEGIN")]
    for i, callee in enumerate(calls):
        nodes.append(Node(id=str(i + 2), type="RUNSUB", refs=[Ref(kind="flow", id=callee)]))
    edges = [Edge(source="1", target="2")] if calls else []
    return Flow(id=fid, name=fid, kind="cxone.script", entry=["1"], nodes=nodes, edges=edges)


def test_deploy_order_puts_callees_first_and_survives_cycles() -> None:
    """A → B → C gives C, B, A; a cycle B ⇄ C still comes after D it calls and before A."""
    flows = [_flow("A", "B"), _flow("B", "C"), _flow("C")]
    chain = Bundle(vendor="cxone", tenant="t", project="p", flows=flows)
    assert deploy_order(chain, {"A", "B", "C"}) == ["C", "B", "A"]
    assert deploy_order(chain, {"A", "C"}) == ["C", "A"]
    looped = Bundle(
        vendor="cxone",
        tenant="t",
        project="p",
        flows=[_flow("A", "B"), _flow("B", "C"), _flow("C", "B", "D"), _flow("D")],
    )
    order = deploy_order(looped, {"A", "B", "C", "D"})
    assert order[0] == "D" and order[-1] == "A" and set(order[1:3]) == {"B", "C"}


def test_stage_names_escape_what_kill_boundaries_split_on() -> None:
    """No ',' or '@' in a stage name; the script path comes back exactly."""
    for path in ("Billing\\Billing_Main", "Odd\\a,b@c%2C d"):
        stage = stage_name(path)
        assert "," not in stage and "@" not in stage and stage.startswith("save:")
        assert stage_script(stage) == path


async def test_billing_stages_save_the_new_callee_before_its_caller(ctx: Context) -> None:
    """dev's Billing_Main calls Payment_IVR, which prod lacks: Payment_IVR is saved first."""
    how = CxoneStrategy(ctx)
    planned = await plan(ctx, how)
    assert planned["stages"] == [stage_name(PAY), stage_name(MAIN)]
    # Scoped to the caller only: the callee the target lacks comes along, first.
    assert how.stages(ctx.bundles["source"], ctx.bundles["target"], ["Billing_Main"]) == [
        stage_name(PAY),
        stage_name(MAIN),
    ]
    # Portable bundles differ only by content, not by business unit numbers or masterIDs.
    common = how.portable(ctx.bundles["source"]).flows[0].properties["header"]
    assert isinstance(common, dict) and not {"masterId", "busNo"} & set(common)


async def test_deploy_saves_each_changed_script_once_and_restore_puts_prod_back(
    ctx: Context, emu: EmulatorThread
) -> None:
    """Rollback point → deploy (each stage twice) → parity 1.0 → restore: prod holds the same
    content as before (hash of the portable bundle), the created script is deleted, a second
    restore does nothing."""
    how = CxoneStrategy(ctx)
    planned = await plan(ctx, how)
    before = ctx.bundles["target"]
    point = await how.rollback_point(planned)
    assert [(s["script"], s["master_id"] is None) for s in point["scripts"]] == [
        (PAY, True),
        (MAIN, False),
    ]
    done: dict[str, Any] = {}
    for stage in planned["stages"]:
        done[stage] = await how.deploy(stage, planned, point, done)
        again = await how.deploy(stage, planned, point, done)  # a re-run after a crash
        assert again["saved"] is False and again["master_id"] == done[stage]["master_id"]
    assert effects(emu) == [("cxone.script.save", PAY), ("cxone.script.save", MAIN)]

    after = await ctx.bundle("target", planned["target"], fresh=True)
    score = parity(how.portable(ctx.bundles["source"]), how.portable(after))
    assert score["score"] == 1.0 and score["differences"] == []
    checked = await how.verify(planned, done)
    assert checked["passed"] and checked["smoke"]["skipped"]
    assert checked["id_map"][MAIN]["target"] == str(done[stage_name(MAIN)]["master_id"])

    restored = await how.restore(planned, point)
    assert restored["deleted"] == [PAY] and [r["script"] for r in restored["restored"]] == [MAIN]
    assert effects(emu)[2:] == [("cxone.script.save", MAIN), ("cxone.script.delete", PAY)]
    back = await ctx.bundle("target", planned["target"], fresh=True)
    assert stable_hash(how.portable(back)) == stable_hash(how.portable(before))
    # Only the masterID moved (every CXone save mints one); the restored version is new.
    assert [f.id for f in back.flows] == [f.id for f in before.flows] == [MAIN]
    assert back.flows[0].version != before.flows[0].version

    twice = await how.restore(planned, point)
    assert twice["restored"] == [] and twice["deleted"] == [] and len(effects(emu)) == 4


async def test_a_409_names_the_script_its_errors_and_where_and_saves_nothing(
    ctx: Context, emu: EmulatorThread
) -> None:
    """Main's IVR_Main (dev) calls scripts of other folders that prod lacks: refused, the error
    names the script, each error with its line:column in the exported file, and a hint."""
    how = CxoneStrategy(ctx)
    planned = await plan(ctx, how, project="Main")
    assert planned["stages"] == [stage_name("Main\\IVR_Main")]
    point = await how.rollback_point(planned)
    with pytest.raises(ScriptRejected) as info:
        await how.deploy(planned["stages"][0], planned, point, {})
    err = info.value
    assert err.script == "Main\\IVR_Main" and err.status == 409 and len(err.problems) == 2
    assert all("SCRIPT_NOT_FOUND" in p for p in err.problems)
    assert "Common\\Log_Call" in err.message and "Sales\\Callback_Offer" in err.message
    assert all(".json:" in p for p in err.problems)  # flows/cxone/Main/Main%5CIVR_Main.json:L:C
    assert "promote their folder first" in (err.hint or "")
    assert effects(emu) == []


async def test_a_failed_save_is_undone_by_restore(ctx: Context, emu: EmulatorThread) -> None:
    """A 503 on the second save (Billing_Main) fails that stage; restore deletes the script the
    first stage created and prod is as before."""
    how = CxoneStrategy(ctx)
    planned = await plan(ctx, how)
    before = ctx.bundles["target"]
    point = await how.rollback_point(planned)
    scenario(
        emu,
        {"vendor": "cxone", "tenant": "prod", "method": "POST", "path": "/inContactAPI/*/scripts",
         "action": "error", "status": 503, "calls": [2]},
    )  # fmt: skip
    first = await how.deploy(planned["stages"][0], planned, point, {})
    assert first["saved"] is True
    with pytest.raises(ServerError):
        await how.deploy(planned["stages"][1], planned, point, {})
    await how.restore(planned, point)
    assert effects(emu) == [("cxone.script.save", PAY), ("cxone.script.delete", PAY)]
    back = await ctx.bundle("target", planned["target"], fresh=True)
    assert stable_hash(back) == stable_hash(before)  # nothing of prod was saved: exact


async def test_a_save_whose_answer_is_mangled_is_found_not_repeated(
    ctx: Context, emu: EmulatorThread
) -> None:
    """The emulator saves Payment_IVR but garbles the answer: the stage asks prod, finds its
    content current and reports it saved, without a second save."""
    how = CxoneStrategy(ctx)
    planned = await plan(ctx, how)
    point = await how.rollback_point(planned)
    scenario(
        emu,
        {"vendor": "cxone", "tenant": "prod", "method": "POST", "path": "/inContactAPI/*/scripts",
         "action": "corrupt", "calls": [1]},
    )  # fmt: skip
    result = await how.deploy(planned["stages"][0], planned, point, {})
    assert result["saved"] is True and result["note"] == "saved; its answer was lost"
    assert isinstance(result["master_id"], int)
    assert effects(emu) == [("cxone.script.save", PAY)]


def test_other_promotion_mechanisms_are_a_usage_error(emu: EmulatorThread) -> None:
    """CXone promotes by saving scripts: the run default (merge) is fine, repoint is not."""
    CxoneStrategy(Context("m" * 32, {**params(emu), "mechanism": "merge"}))
    with pytest.raises(UsageError, match="no promotion mechanism 'repoint'"):
        CxoneStrategy(Context("m" * 32, {**params(emu), "mechanism": "repoint"}))
