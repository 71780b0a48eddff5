"""Cognigy.AI's promotion gates: each returns its evidence, ``{"gate", "passed", ...}``.

- ``simulation``: the simulator definitions of the source project (or those a ``--tests`` file
  names) run against the source; each run's ``successRate`` must reach its threshold.
- ``health``: every endpoint of the target project reads ``active``.
- ``sessions``: conversations on the target's endpoints drain to zero within a timeout (polled),
  unless overridden (the evidence then still shows the count).
- ``smoke`` (verify): the release's simulations run on the target (or through each of the
  target's re-pointed endpoints), judged by the source's.

A gate never raises for a *refusal* (see ``gates``).
"""

from __future__ import annotations

from typing import Any

from cxops.pipelines.promote.gates import DEFAULT_THRESHOLD, drain
from cxops.vendors.deploy.cognigy import CognigyDeployer

__all__ = ["health", "sessions", "simulation", "smoke"]


async def simulation(
    deployer: CognigyDeployer, project_id: str, tests: dict[str, Any]
) -> dict[str, Any]:
    """Run the chosen simulations on the source project; each must reach its threshold."""
    default = float(tests.get("min_success_rate", DEFAULT_THRESHOLD))
    known = await deployer.simulations(project_id)
    wanted = tests.get("simulations") or [{"ref": s["referenceId"]} for s in known]
    runs, passed = [], bool(wanted)
    for spec in wanted:
        ref = str(spec["ref"])
        sim = next((s for s in known if ref in (s.get("referenceId"), s.get("name"))), None)
        if sim is None:
            runs.append({"simulation": ref, "passed": False, "error": "no such simulation"})
            passed = False
            continue
        threshold = float(spec.get("min_success_rate", default))
        run = await deployer.simulate(str(sim["referenceId"]))
        rate = float(run["metrics"].get("successRate", 0.0))
        failed = [s["name"] for s in run.get("scenarios", []) if not s.get("success")]
        ok = rate >= threshold
        passed = passed and ok
        runs.append(
            {
                "simulation": sim.get("name"),
                "run": run.get("_id"),
                "success_rate": rate,
                "threshold": threshold,
                "failed_scenarios": failed,
                "passed": ok,
            }
        )
    return {"gate": "simulation", "passed": passed, "runs": runs}


def _judge(expected: dict[str, Any], ran: dict[str, Any]) -> tuple[float, list[str]]:
    """Success rate of a target run judged by the source definition's expectations."""
    mine = {sc["name"]: sc for sc in ran.get("scenarios", [])}
    failed = []
    for sc in expected.get("scenarios", []):
        got = mine.get(sc["name"], {}).get("turns", [])
        want = sc.get("turns", [])
        ok = len(got) == len(want) and all(
            g.get("input") == w["input"]
            and g.get("intent") == w["expectedIntent"]
            and w["expectedReply"] in (g.get("replies") or [])
            for g, w in zip(got, want, strict=False)
        )
        if not ok:
            failed.append(str(sc["name"]))
    total = len(expected.get("scenarios", []))
    return (round(100.0 * (total - len(failed)) / total, 2) if total else 0.0), failed


async def smoke(
    source: CognigyDeployer,
    target: CognigyDeployer,
    source_project: str,
    target_project: str,
    tests: dict[str, Any],
    flows: list[str] | None = None,
    *,
    endpoints: list[str] | None = None,
) -> dict[str, Any]:
    """The release's simulations, run on the target and judged by the source's expectations.

    The target's simulator runs its own definition of the same simulation (same
    ``referenceId``; simulator definitions are not in packages, so its expected replies may
    be the old release's); cxops keeps what the bot did (intent, replies) per turn and judges
    it against the source definition. ``tests["smoke"]`` names the simulations (default:
    every simulation of the source project); a scoped promotion (``flows``, referenceIds) runs
    only those of its flows, and passes with ``skipped`` when none covers them. With
    ``endpoints`` (endpoint ids of the target) each simulation runs through each of them, so it
    tests what the endpoint's ``entrypoint`` runs (a re-pointed snapshot), not the project.
    """
    threshold = float(tests.get("min_success_rate", DEFAULT_THRESHOLD))
    known = await source.simulations(source_project)
    theirs = {s["referenceId"]: s for s in await target.simulations(target_project)}
    names = tests.get("smoke")
    chosen = [s for s in known if not names or s.get("name") in names or s["referenceId"] in names]
    if flows:
        chosen = [s for s in chosen if s.get("flowReferenceId") in flows]
        if not chosen:
            skipped = "no simulation covers the promoted flows"
            return {"gate": "smoke", "passed": True, "runs": [], "skipped": skipped}
    runs, passed = [], bool(chosen)
    through: list[str | None] = list(endpoints) if endpoints else [None]
    for sim in chosen:
        if sim["referenceId"] not in theirs:
            runs.append({"simulation": sim.get("name"), "passed": False, "error": "not in target"})
            passed = False
            continue
        for endpoint in through:
            ran = await target.simulate(str(sim["referenceId"]), endpoint_id=endpoint)
            rate, failed = _judge(sim, ran)
            ok = rate >= threshold
            passed = passed and ok
            run = {
                "simulation": sim.get("name"),
                "run": ran.get("_id"),
                "success_rate": rate,
                "threshold": threshold,
                "failed_scenarios": failed,
                "passed": ok,
            }
            if endpoint is not None:
                run.update(endpoint=endpoint, entrypoint=ran.get("entrypoint"))
            runs.append(run)
    return {"gate": "smoke", "passed": passed, "runs": runs}


async def health(deployer: CognigyDeployer, project_id: str) -> dict[str, Any]:
    """Every endpoint of the target project is active."""
    eps = await deployer.endpoints(project_id)
    states = {str(e["_id"]): bool(e.get("active", True)) for e in eps}
    return {
        "gate": "health",
        "passed": all(states.values()),
        "endpoints": states,
        "inactive": sorted(k for k, v in states.items() if not v),
    }


async def sessions(
    deployer: CognigyDeployer, project_id: str, *, timeout: float, override: bool
) -> dict[str, Any]:
    """Wait up to ``timeout`` seconds for the target's endpoints to have no conversation."""
    eps = [str(e["_id"]) for e in await deployer.endpoints(project_id)]

    async def count() -> dict[str, int]:
        return {eid: await deployer.active_sessions(eid) for eid in eps}

    return await drain(count, timeout=timeout, override=override)
