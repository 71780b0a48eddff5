"""Gate evidence and rollback causes in words: each vendor's evidence shape reads as a sentence
that names the runs, flows and checks, for the dashboard and the command line alike."""

from __future__ import annotations

from typing import Any

from cxops.analysis.evidence import (
    gate_line,
    gate_sentence,
    rollback_cause,
    verify_failure,
    version_sentence,
)


def _batch(name: str, good: int, bad: int) -> dict[str, Any]:
    return {"simulation": name, "batch": f"b-{name}", "status": "COMPLETED",
            "succeeded": good, "failed": bad, "passed": bad == 0 and good > 0}  # fmt: skip


def test_a_simulator_batch_reads_as_scenarios_passed() -> None:
    """One Cognigy simulator batch: "'Smoke' 12/12 scenarios passed"; a failing one counts."""
    gate = {"gate": "simulation", "passed": True, "runs": [_batch("Smoke", 12, 0)]}
    assert gate_line(gate) == ("simulation: 'Smoke' 12/12 scenarios passed", [])
    assert gate_sentence(gate)[0] == "Simulation passed: 'Smoke' 12/12 scenarios passed."
    bad = {"gate": "simulation", "passed": False, "runs": [_batch("Smoke", 10, 2)]}
    assert gate_line(bad)[0] == "simulation: 'Smoke' 10/12 scenarios passed (2 failed)"


def test_several_runs_name_the_failing_ones_first() -> None:
    """A playbook failing at a step and two batches: the line counts and names the failure,
    the details list every run and the failed steps."""
    playbook = {"playbook": "Regression", "status": "failed", "passed": False,
                "failed_steps": [{"text": "Book a slot"}, {"text": "Confirm"}]}  # fmt: skip
    gate = {"gate": "smoke", "passed": False,
            "runs": [_batch("A", 3, 0), playbook, _batch("B", 1, 0)]}  # fmt: skip
    line, _ = gate_line(gate)
    assert line == "smoke: 2 of 3 runs passed: playbook 'Regression' failed at step 'Book a slot'"
    sentence, details = gate_sentence(gate)
    assert sentence.startswith("The smoke test FAILED: 2 of 3 runs passed")
    assert "'A' 3/3 scenarios passed" in details and "failed step: Confirm" in details


def test_genesys_conversations_and_cxone_test_calls() -> None:
    """Genesys conversations with a success rate, CXone test calls: each named with its cause."""
    genesys = {"gate": "simulation", "passed": False, "success_rate": 50.0, "threshold": 100.0,
               "runs": [{"conversation": "Greets", "passed": True, "failed": []},
                        {"conversation": "Cancels", "passed": False,
                         "failed": ["turn 2: reply 'Bye'"]}]}  # fmt: skip
    assert gate_line(genesys)[0] == (
        "simulation: 50.0% of 2 conversations passed (threshold 100.0%): "
        "conversation 'Cancels' failed: turn 2: reply 'Bye'"
    )
    cxone = {"gate": "simulation", "passed": False, "failed": ["Billing"],
             "calls": [{"name": "Billing", "script": "B\\Main", "url": "https://t/x",
                        "passed": False, "detail": "the hook answered HTTP 500"}]}  # fmt: skip
    assert gate_line(cxone)[0] == (
        "simulation: test call 'Billing' failed: the hook answered HTTP 500"
    )


def test_lock_drift_names_the_flows() -> None:
    """The lock gate's drift by name, with what to do; passing counts the locked flows."""
    gate = {"gate": "lock", "passed": False, "drift_count": 1,
            "drift": ["flow cognigy/p/f1: hash 'a' → 'b'"],
            "drifted": [{"table": "flow", "key": "cognigy/p/f1", "change": "changed",
                         "field": "hash", "name": "Cancel Contract"}]}  # fmt: skip
    line, _ = gate_line(gate)
    assert line == "lock: 1 flow drifted: 'Cancel Contract' (re-export to update the lock)"
    sentence, details = gate_sentence(gate)
    assert sentence.startswith("Lock FAILED: 1 flow drifted") and details == gate["drift"]
    ok = {"gate": "lock", "passed": True, "locked_flows": 7, "drift": []}
    assert gate_line(ok)[0] == "lock: 7 locked flows match"


def test_skipped_errors_and_hints() -> None:
    """A skipped gate says why; a gate that could not look says why and shows its hint."""
    skipped = {"gate": "health", "passed": True, "skipped": "CXone has no script health API"}
    assert gate_line(skipped)[0] == "health: not checked: CXone has no script health API"
    assert gate_sentence(skipped)[0] == (
        "The health gate was not checked: CXone has no script health API."
    )
    blind = {"gate": "sessions", "passed": False, "error": "cannot measure sessions",
             "hint": "add odata_url"}  # fmt: skip
    assert gate_line(blind) == ("sessions: cannot measure sessions", ["hint: add odata_url"])
    overridden = {"gate": "sessions", "passed": True, "overridden": True,
                  "error": "cannot measure sessions", "active": {"e1": 2}}  # fmt: skip
    assert gate_line(overridden)[0] == (
        "sessions: overridden (--override-active-sessions) with 2 active"
    )


def test_health_of_endpoints_and_bot_flows() -> None:
    """Cognigy endpoints and Genesys bot-flow NLU health, each with the failing ones listed."""
    cognigy = {"gate": "health", "passed": False, "endpoints": {"e1": True, "e2": False},
               "inactive": ["e2"]}  # fmt: skip
    assert gate_sentence(cognigy) == ("Health FAILED: 1 of 2 endpoints active.",
                                      ["inactive: endpoint e2"])  # fmt: skip
    main = {"status": {"en-us": "Completed"}, "low_intents": {"Cancel": 0.4}, "passed": False}
    genesys = {
        "gate": "health",
        "passed": False,
        "min_intent_score": 0.6,
        "flows": {"bot/Main": main},
    }
    assert gate_sentence(genesys) == (
        "Health FAILED: 0 of 1 bot flow healthy.",
        ["bot/Main: intent 'Cancel' scores 0.4"],
    )


def test_validation_and_version() -> None:
    """Validation counts error findings and shows the first; the version check in a sentence."""
    gate = {"gate": "validation", "passed": False, "findings": 3,
            "errors": ["CX101 Main: cycle a → b → a"]}  # fmt: skip
    assert (
        gate_line(gate)[0]
        == "validation: 1 error finding in the source: CX101 Main: cycle a → b → a"
    )
    assert version_sentence({"given": None}) is None
    refused = version_sentence({"given": "1.0.0", "ok": False, "reason": "not above 1.2.0"})
    assert refused == (False, "Version 1.0.0 REFUSED: not above 1.2.0.")


def test_a_rollback_names_the_check_that_failed_and_why() -> None:
    """Verification failed: the failing check and its cause; a deploy stage failed: the stage."""
    verify = {
        "passed": False,
        "health": {"gate": "health", "passed": True, "endpoints": {"e": True}},
        "smoke": {"gate": "smoke", "passed": False, "runs": [_batch("Smoke", 10, 2)]},
    }
    expected = "check 'smoke' after the deploy failed: 'Smoke' 10/12 scenarios passed (2 failed)"
    assert verify_failure(verify) == expected
    summary = {"verify": verify, "step": "verify",
               "rollback": {"failed": f"verify: {expected}", "identical": True}}  # fmt: skip
    assert rollback_cause(summary) == expected
    stage = {"step": "deploy:merge", "rollback": {"failed": "cognigy HTTP 500 on merge"}}
    assert rollback_cause(stage) == "deploy stage 'merge' failed: cognigy HTTP 500 on merge"
    assert rollback_cause({"outcome": "promoted"}) is None
