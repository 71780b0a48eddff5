"""CXone gates: test calls through the emulator's hook over real HTTP (source for the
simulation gate, target for the smoke check), health and sessions skipped with a reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import InputError
from cxops.pipelines.promote.cxone import CxoneStrategy
from cxops.pipelines.promote.strategy import Context
from tests.pipelines.promote.cxone_helpers import calls_doc, fail_calls, params, plan

MAIN, PAY = "Billing\\Billing_Main", "Billing\\Payment_IVR"


@pytest.fixture
async def make(emu: EmulatorThread) -> AsyncIterator[Any]:
    emu.ctx.clock.set_speed(200)
    made: list[Context] = []

    def build(tests: dict[str, Any]) -> CxoneStrategy:
        made.append(Context("g" * 32, params(emu, tests)))
        return CxoneStrategy(made[-1])

    yield build
    for ctx in made:
        await ctx.aclose()


async def test_simulation_gate_places_each_test_call_on_the_source(
    make: Any, emu: EmulatorThread
) -> None:
    """Two calls against dev pass; the evidence names each with its environment and answer."""
    how = make(calls_doc(emu, MAIN, PAY))
    evidence = await how.gate("simulation", await plan(how.ctx, how))
    assert evidence["gate"] == "simulation" and evidence["passed"] is True
    assert [(c["script"], c["environment"], c["passed"]) for c in evidence["calls"]] == [
        (MAIN, "dev", True),
        (PAY, "dev", True),
    ]
    assert all("masterID" in c["detail"] for c in evidence["calls"])
    assert evidence["calls"][0]["url"] == f"{emu.url}/cxone/dev/_emulator/testcall"


async def test_a_failing_test_call_fails_the_gate_with_its_detail(
    make: Any, emu: EmulatorThread
) -> None:
    fail_calls(emu, "dev", MAIN, "caller heard silence after the greeting")
    how = make(calls_doc(emu, MAIN, PAY))
    evidence = await how.gate("simulation", await plan(how.ctx, how))
    assert evidence["passed"] is False and evidence["failed"] == [f"call {MAIN}"]
    bad = next(c for c in evidence["calls"] if c["script"] == MAIN)
    assert bad["detail"] == "caller heard silence after the greeting" and bad["status"] == 200


async def test_unreachable_or_wrong_hooks_fail_and_bad_config_is_an_input_error(
    make: Any, emu: EmulatorThread
) -> None:
    """A closed port and an answer without a boolean 'passed' fail the call (fail closed); a
    test call without a script cannot run at all."""
    doc = {
        "cxone": {
            "timeout": 2,
            "test_calls": [
                {"name": "down", "url": "http://127.0.0.1:9/hook?token=s3cret", "script": MAIN},
                {"name": "odd", "url": f"{emu.url}/_emulator/info", "script": MAIN},
            ],
        }
    }
    how = make(doc)
    evidence = await how.gate("simulation", await plan(how.ctx, how))
    assert evidence["passed"] is False and evidence["failed"] == ["down", "odd"]
    down, odd = evidence["calls"]
    assert down["detail"].startswith("no answer from the hook") and "s3cret" not in str(down)
    assert odd["detail"] == "the hook answered HTTP 405"
    broken = make({"cxone": {"test_calls": [{"url": "http://x"}]}})
    with pytest.raises(InputError, match=r"cxone.test_calls\[0\]: 'script'"):
        await broken.gate("simulation", {"flows": None})


async def test_without_test_calls_and_for_health_and_sessions_the_gates_pass_skipped(
    make: Any,
) -> None:
    how = make({})
    for name in ("simulation", "health", "sessions"):
        evidence = await how.gate(name, {"flows": None})
        assert evidence["gate"] == name and evidence["passed"] is True
        assert evidence["skipped"].startswith(("no --tests", "CXone has no"))


async def test_verify_smoke_calls_the_target_and_fails_when_a_call_does(
    make: Any, emu: EmulatorThread
) -> None:
    """After the deploy, the same calls go to prod; a failing one fails verify."""
    how = make(calls_doc(emu, MAIN, PAY))
    planned = await plan(how.ctx, how)
    point = await how.rollback_point(planned)
    done = {s: await how.deploy(s, planned, point, {}) for s in planned["stages"]}
    good = await how.verify(planned, done)
    assert good["passed"] is True
    assert {c["environment"] for c in good["smoke"]["calls"]} == {"prod"}
    fail_calls(emu, "prod", PAY, "payment prompt missing")
    bad = await how.verify(planned, done)
    assert bad["passed"] is False and bad["smoke"]["failed"] == [f"call {PAY}"]
    assert bad["health"]["skipped"] and set(bad["id_map"]) == {MAIN, PAY}


async def test_validation_checks_the_folder_with_the_targets_other_folders(make: Any) -> None:
    """Billing's calls into Common resolve against prod's Common: passes. Main's IVR_Main calls
    Common\\Log_Call and Sales\\Callback_Offer, which prod lacks: CX105 before any save."""
    how = make({})
    billing = await how.gate("validation", await plan(how.ctx, how))
    assert billing["passed"] is True and billing["errors"] == []
    assert billing["checked_with"] == ["Common", "Main", "Sales", "Support"]
    other = make({})
    main = await other.validation(await plan(other.ctx, other, project="Main"))
    assert main["passed"] is False
    assert {e.split(":")[0] for e in main["errors"]} == {"CX105 Main\\IVR_Main"}
    text = " ".join(main["errors"])
    assert "Common\\Log_Call" in text and "Sales\\Callback_Offer" in text
