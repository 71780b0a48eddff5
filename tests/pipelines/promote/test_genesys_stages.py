"""The Genesys strategy step by step on the emulator: portable keys, callee-first stages, a
scoped promotion, re-run stages that do not deploy twice, a restore that deletes what it made."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from cxops.emulator import EmulatorThread
from cxops.model.bundle import Bundle
from cxops.pipelines.connections import public_settings, remember
from cxops.pipelines.promote.genesys import GenesysStrategy
from cxops.pipelines.promote.genesys_portable import fingerprint, portable
from cxops.pipelines.promote.parity import parity
from cxops.pipelines.promote.strategy import Context
from cxops.vendors import pick_project
from tests.pipelines.promote.conftest import FAST
from tests.pipelines.promote.test_genesys_promote import (
    BILLING,
    ORDER,
    TESTS,
    effects,
    flow_ids,
    prod_bundle,
    promote,
    settings,
)

T = TypeVar("T")
HOME = "Home"
AUTH, MAIN = "COMMONMODULE/Authenticate Caller", "INBOUNDCALL/Main Line IVR"


def context(emu: EmulatorThread, **params: Any) -> Context:
    """A run context dev → prod, as the workflow builds it."""
    dev, prod = settings(emu, "dev"), settings(emu, "prod")
    remember(dev)
    remember(prod)
    base = {
        "connections": {"source": public_settings(dev), "target": public_settings(prod)},
        "tenants": {"source": "dev", "target": "prod"},
        "transport": FAST,
        "tests": TESTS,
        "sessions_timeout": 1.0,
        "override_sessions": False,
    }
    return Context("0123456789abcdef0123456789abcdef", {**base, **params})


def run(ctx: Context, work: Callable[[GenesysStrategy], Awaitable[T]]) -> T:
    """Run ``work`` with a strategy on ``ctx`` and close its clients."""

    async def go() -> T:
        try:
            return await work(GenesysStrategy(ctx))
        finally:
            await ctx.aclose()

    return asyncio.run(go())


async def planned(
    how: GenesysStrategy, division: str, flows: list[str] | None = None
) -> dict[str, Any]:
    """What the workflow's plan step gives the strategy (project ids, stages)."""
    ctx = how.ctx
    sides = {}
    for side in ("source", "target"):
        found = pick_project(await (await ctx.adapter(side)).list_projects(), division)
        sides[side] = {"id": found.id, "name": found.name}
    a = await ctx.bundle("source", sides["source"])
    b = await ctx.bundle("target", sides["target"])
    return {**sides, "flows": flows, "stages": how.stages(a, b, flows)}


def test_portable_keys_and_callee_first_stages(fast_emu: EmulatorThread) -> None:
    """Re-keyed by type and name, prod's and dev's unchanged flows compare equal and no GUID of
    either org is left. Main Line IVR calls Authenticate Caller: the module is imported and
    published first; --flows keeps to the named flows (names, keys or source ids)."""
    dev_ids = flow_ids(fast_emu, "dev")

    async def work(how: GenesysStrategy) -> tuple[Bundle, Bundle, list[list[str]]]:
        everything = await planned(how, HOME)
        stages = [
            (await planned(how, HOME, ["Main Line IVR", "Authenticate Caller"]))["stages"],
            (await planned(how, HOME, [MAIN, dev_ids["Authenticate Caller"]]))["stages"],
            everything["stages"],
        ]
        return (
            await how.ctx.bundle("source", everything["source"]),
            await how.ctx.bundle("target", everything["target"]),
            stages,
        )

    dev, prod, (by_name, by_key, everything) = run(context(fast_emu), work)
    a, b = portable(dev), portable(prod)
    assert {f.id for f in b.flows} <= {f.id for f in a.flows}
    same = [f.id for f in a.flows if f in b.flows]
    assert sorted(same) == ["INBOUNDCALL/Support Line IVR", "INQUEUECALL/Default In-Queue"]
    text = a.model_dump_json() + b.model_dump_json()
    guids = set(dev_ids.values()) | set(flow_ids(fast_emu, "prod").values())
    assert not [g for g in guids if g in text]
    main = next(f for f in a.flows if f.id == MAIN)
    assert {r.id for n in main.nodes for r in n.refs if r.kind == "flow"} >= {AUTH}
    scoped = [f"import:{AUTH}", f"publish:{AUTH}", f"import:{MAIN}", f"publish:{MAIN}"]
    assert by_name == by_key == scoped
    how = GenesysStrategy(context(fast_emu))
    assert how.portable_flows(dev, [dev_ids["Main Line IVR"], "Authenticate Caller"]) == [
        AUTH,
        MAIN,
    ]
    assert how.portable_flows(dev, None) is None
    imports = [s.split(":", 1)[1] for s in everything if s.startswith("import:")]
    assert imports.index(AUTH) < imports.index(MAIN)
    assert imports.index("COMMONMODULE/Business Hours Check") < imports.index(MAIN)
    assert "INBOUNDCALL/Support Line IVR" not in imports  # the same content in both orgs
    assert all("," not in s and "@" not in s for s in everything)


def test_rerun_stages_deploy_once_and_restore_deletes_what_it_made(
    fast_emu: EmulatorThread,
) -> None:
    """Every stage run twice (a crash after the vendor call): one import and one publish per
    flow, and the created flow moved once to its division. Restore twice: one delete, one
    import of the kept document as a new version (4.0) and its publish; prod's content is as
    before (no revert)."""

    async def work(how: GenesysStrategy) -> tuple[dict[str, Any], dict[str, Any], str]:
        plan = await planned(how, "Digital Channels")
        before = fingerprint(await how.ctx.bundle("target", plan["target"]))
        point = await how.rollback_point(plan)
        assert await how.rollback_point(plan) == point
        done: dict[str, Any] = {}
        for stage in plan["stages"]:
            first = await how.deploy(stage, plan, point, done)
            again = await how.deploy(stage, plan, point, done)
            assert again["flow_id"] == first["flow_id"]
            done[stage] = again
        assert done[f"import:{ORDER}"]["command"] == "none"  # found its content already there
        checked = await how.verify(plan, done)
        restored = await how.restore(plan, point)
        assert (await how.restore(plan, point))["flows"] == {
            ORDER: "published 4.0 holds the kept content (unchanged)",
            BILLING: "absent",
        }
        return checked, restored, before

    checked, restored, before = run(context(fast_emu), work)
    assert checked["passed"] and checked["id_map"][BILLING]["target"]
    assert restored["flows"] == {
        ORDER: "imported the kept content as 4.0 and published it (was 3.0)",
        BILLING: "deleted",
    }
    assert restored["identical"] and restored["fingerprint_restored"] == before
    assert Counter(r["effect"] for r in effects(fast_emu, "prod")) == {
        "genesys.flow.import": 3,
        "genesys.flow.publish": 3,
        "genesys.flow.update": 1,
        "genesys.flow.delete": 1,
    }


def test_scoped_promotion_of_a_module_and_its_caller(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """--flows in the Home division: only the module and the IVR are imported and published,
    the module first; the IVR's call is bound to prod's module by name."""
    out = promote(
        fast_emu,
        store_url,
        tmp_path,
        project=HOME,
        flows=["Main Line IVR", "Authenticate Caller"],
        gates=("health", "sessions", "simulation"),
    )
    assert out["outcome"] == "promoted", out.get("error")
    gates = {g["gate"]: g for g in out["gates"]}
    assert gates["health"]["skipped"] == "no bot flow is promoted"
    assert gates["simulation"]["skipped"] == "no conversation covers the promoted flows"
    prod = flow_ids(fast_emu, "prod")
    done = effects(fast_emu, "prod")
    assert Counter(r["effect"] for r in done) == {
        "genesys.flow.import": 2,
        "genesys.flow.publish": 2,
    }
    published = [r["resource"] for r in done if r["effect"] == "genesys.flow.publish"]
    assert published == [prod["Authenticate Caller"], prod["Main Line IVR"]]
    assert out["id_map"][AUTH]["target"] == prod["Authenticate Caller"]
    # Parity over the two flows (portable keys): the workflow's own parity gets the plan's
    # --flows as source flow ids, which portable bundles no longer carry (see the docs).
    dev_home, prod_home = prod_bundle(fast_emu, HOME, "dev"), prod_bundle(fast_emu, HOME)
    scoped = parity(portable(dev_home), portable(prod_home), flows=[AUTH, MAIN])
    assert scoped["score"] == 1.0 and scoped["compared"] > 20, scoped["differences"]
    rest = parity(portable(dev_home), portable(prod_home))
    assert rest["score"] < 1.0  # the flows left out (and dev's flawed ones) still differ
