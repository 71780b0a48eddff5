"""Cognigy.AI's promotion gates: each returns its evidence, ``{"gate", "passed", ...}``.

- ``simulation``: the source project's **playbooks** run against the source project (each
  ``successful``), and its ``/testing`` simulations where the tenant has the simulator (a 404
  there is "no simulator on this tenant", never "0 runs passed"); the flow and locale come from
  the project's endpoint (``GET /endpoints/{id}``) or the ``--tests`` file.
- ``health``: every endpoint of the target project, read one by one, is ``active``.
- ``sessions``: sessions started recently on each target endpoint, counted from the OData
  analytics endpoint the target profile names (``odata_url``), drain to zero within a timeout.
  Without it the gate cannot measure sessions and blocks unless overridden.
- ``smoke`` (verify): the target's playbooks (and simulations, where it has the simulator) run
  on the target, through the target project or through each re-pointed endpoint.

No gate passes for lack of data: nothing to run, no endpoint to check or no analytics source
is a refusal with the reason. A gate never raises for a refusal (see ``gates``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cxops.errors import CxopsError
from cxops.pipelines.promote.gates import drain
from cxops.transport import VendorClient
from cxops.vendors.deploy.cognigy import CognigyDeployer
from cxops.vendors.deploy.cognigy_tests import NoSimulator, Playbooks, Simulator, recent_sessions

__all__ = ["RECENT_MINUTES", "Target", "health", "run_tests", "sessions", "simulation", "smoke"]

#: A session counts as active when it started this recently (OData ``Sessions.startedAt``).
RECENT_MINUTES = 15.0
NO_SIMULATOR = "no simulator on this tenant"

#: ``(entrypoint, flowId, localeId, endpoint id or None)``: what a test runs through.
Target = tuple[str, str, str, str | None]
Namer = Callable[[str], str]


def _failed_steps(run: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for step in run.get("stepResults") or []:
        bad = [a for a in step.get("asserts") or [] if a.get("status") != "successful"]
        if step.get("status") != "successful" or bad:
            out.append(
                {
                    "text": step.get("text"),
                    "failed_asserts": [
                        {"type": a.get("type"), "params": a.get("params")} for a in bad
                    ],
                }
            )
    return out


async def targets(
    d: CognigyDeployer, project_id: str, tests: dict[str, Any], through: str
) -> list[Target]:
    """What tests run through: the project's endpoints' flow and locale, with ``through``
    (``project``: the project itself; ``endpoint``: each endpoint's own entrypoint). The
    ``--tests`` file may name ``flow`` and ``locale`` instead (then the project is run)."""
    if tests.get("flow") and tests.get("locale"):
        return [(project_id, str(tests["flow"]), str(tests["locale"]), None)]
    out: list[Target] = []
    for ep in await d.endpoints(project_id):
        entry = str(ep["entrypoint"]) if through == "endpoint" else project_id
        out.append(
            (entry, str(ep.get("flowId") or ""), str(ep.get("localeId") or ""), str(ep["_id"]))
        )
    return out


async def run_tests(
    d: CognigyDeployer,
    project_id: str,
    through: list[Target],
    names: list[str] | None,
    name: Namer,
) -> dict[str, Any]:
    """Run the project's playbooks (those ``names`` names, else all) and simulations through
    each target; ``{"passed", "runs", "simulator"}``."""
    runs: list[dict[str, Any]] = []
    books = Playbooks(d)
    chosen = [p for p in await books.of(project_id) if not names or p.get("name") in names]
    for pb in chosen:
        for n, (entry, flow, locale, endpoint) in enumerate(through):
            where = {"entrypoint": entry, **({"endpoint": endpoint} if endpoint else {})}
            try:
                run = await books.run(
                    str(pb["_id"]), entry, flow, locale, name(f"pb-{pb['_id']}-{n}")
                )
            except CxopsError as exc:
                runs.append(
                    {"playbook": pb.get("name"), **where, "passed": False, "error": exc.message}
                )
                continue
            good = run.get("status") == "successful"
            runs.append(
                {
                    "playbook": pb.get("name"),
                    "run": run.get("_id"),
                    **where,
                    "status": run.get("status"),
                    "failed_steps": _failed_steps(run),
                    "passed": good,
                }
            )
    sim = Simulator(d.client)
    simulator = "present"
    try:
        sims = [s for s in await sim.simulations(project_id) if not names or s.get("name") in names]
        for s in sims:
            for n, (entry, flow, locale, endpoint) in enumerate(through):
                config = {"entrypoint": entry, "flowReferenceId": flow, "localeReferenceId": locale}
                batch = await sim.run(
                    str(s["_id"]), name(f"sim-{s['_id']}-{n}"), project_id, config
                )
                results = (batch.get("batchMetrics") or {}).get("runResults") or {}
                good = (
                    batch.get("status") == "COMPLETED"
                    and int(results.get("failed", 1)) == 0
                    and int(results.get("succeeded", 0)) > 0
                )
                runs.append(
                    {
                        "simulation": s.get("name"),
                        "batch": batch.get("name"),
                        "entrypoint": entry,
                        **({"endpoint": endpoint} if endpoint else {}),
                        "status": batch.get("status"),
                        "succeeded": results.get("succeeded"),
                        "failed": results.get("failed"),
                        "passed": good,
                    }
                )
    except NoSimulator:
        simulator = NO_SIMULATOR
    out: dict[str, Any] = {"passed": bool(runs) and all(r["passed"] for r in runs), "runs": runs}
    out["simulator"] = simulator
    if not runs:
        out["error"] = (
            "nothing ran: no playbook"
            + ("" if simulator == NO_SIMULATOR else " and no simulation")
            + " in the project (or none of those named)"
        )
    return out


async def simulation(
    d: CognigyDeployer, project_id: str, tests: dict[str, Any], name: Namer
) -> dict[str, Any]:
    """The source project's playbooks and simulations, run against the source project."""
    through = await targets(d, project_id, tests, "project")
    if not through:
        return {
            "gate": "simulation",
            "passed": False,
            "runs": [],
            "error": "the source project has no endpoint to take a flow and locale from",
            "hint": "add 'flow' and 'locale' to the --tests file",
        }
    names = list(tests.get("playbooks") or []) + [
        str(s.get("ref", s)) for s in tests.get("simulations") or []
    ]
    return {"gate": "simulation", **await run_tests(d, project_id, through, names or None, name)}


async def smoke(
    d: CognigyDeployer,
    project_id: str,
    tests: dict[str, Any],
    name: Namer,
    *,
    through: str = "project",
    endpoints: list[str] | None = None,
    flows: list[str] | None = None,
) -> dict[str, Any]:
    """The target's tests after the deploy: through the project (merge) or through each
    re-pointed endpoint (``through="endpoint"``, ``endpoints`` the ids). A scoped promotion
    (``flows``: referenceIds) runs only through endpoints whose flow it promoted."""
    chosen = await targets(d, project_id, tests, through)
    if endpoints is not None:
        chosen = [t for t in chosen if t[3] in endpoints]
    if flows:
        chosen = [t for t in chosen if t[1] in flows]
        if not chosen:
            skipped = "no endpoint runs a promoted flow: no playbook covers them"
            return {"gate": "smoke", "passed": True, "runs": [], "skipped": skipped}
    if not chosen:
        return {
            "gate": "smoke",
            "passed": False,
            "runs": [],
            "error": "no endpoint to test through",
        }
    names = tests.get("smoke")
    return {"gate": "smoke", **await run_tests(d, project_id, chosen, names or None, name)}


async def health(d: CognigyDeployer, project_id: str) -> dict[str, Any]:
    """Every endpoint of the target project is active (each read with ``GET /endpoints/{id}``:
    the listing has no ``active``)."""
    eps = await d.endpoints(project_id)
    states = {str(e["_id"]): e.get("active") is True for e in eps}
    out: dict[str, Any] = {
        "gate": "health",
        "passed": bool(states) and all(states.values()),
        "endpoints": states,
        "inactive": sorted(k for k, v in states.items() if not v),
    }
    if not states:
        out["error"] = "the target project has no endpoint to check"
    return out


async def sessions(
    d: CognigyDeployer,
    project_id: str,
    odata: Callable[[], Awaitable[tuple[VendorClient, str] | None]],
    *,
    timeout: float,
    override: bool,
) -> dict[str, Any]:
    """Wait up to ``timeout`` seconds for no session to have started on the target's endpoints
    in the last :data:`RECENT_MINUTES` (OData ``Sessions``). ``odata()`` opens the analytics
    client and its key, None when the profile names no ``odata_url``."""
    source = await odata()
    if source is None:
        why = (
            "cannot measure sessions: the target profile names no OData analytics endpoint "
            "(odata_url and odata_key); Cognigy's REST API has no live-session count"
        )
        out = {"gate": "sessions", "passed": override, "measured": False, "error": why}
        if override:
            out["overridden"] = True
        else:
            out["hint"] = (
                "add odata_url and odata_key to the profile, or --override-active-sessions"
            )
        return out
    client, key = source
    eps = [str(e["_id"]) for e in await d.listing("/endpoints", projectId=project_id)]

    async def count() -> dict[str, int]:
        return {
            eid: await recent_sessions(client, eid, minutes=RECENT_MINUTES, key=key) for eid in eps
        }

    result = await drain(count, timeout=timeout, override=override, what="recent sessions")
    return {**result, "measured": True, "window_minutes": RECENT_MINUTES, "source": "odata"}
