"""A test-call hook per business unit at ``/cxone/{tenant}/_emulator/testcall`` (no auth).

CXone has no API that places a synthetic call and judges it (VENDORS.md: "none known: use a
test-call hook"), so teams run their own harness: a web service that dials a number routed to a
script and reports whether the call went as expected. ``cxops promote`` posts to such a hook
(docs/promote/cxone.md); this is the emulator's stand-in, so promotion gates are tested over
real HTTP:

- ``POST /_emulator/testcall`` ``{"run", "environment", "script"}`` → ``{"passed", "detail",
  "script", "masterID"?, "call"}``. Without a rule the call passes when the script is a stored
  script of this business unit (it "answers" with its current masterID) and fails when not.
  A call also fails when a script it runs (RUNSUB, SPAWN, RUNSCRIPT, followed through every
  script reached) is missing: the caller hears an error there. A body without a ``script``
  string is 400.
- ``PUT /_emulator/testcall`` ``{"scripts": {"<path>" | "*": {"passed": bool, "detail"?:
  str}}}`` replaces the rules (a test makes a script's calls fail); ``{"scripts": {}}`` clears
  them.
- ``GET /_emulator/testcall`` → ``{"rules", "calls"}``: the rules and every call received.

Test calls change nothing in the business unit, so they are no ledger effect. An emulator reset
rebuilds the tenant and so clears rules and calls.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator.context import EmulatorContext
from cxops.emulator.cxone.store import CxoneTenant, normalize_path
from cxops.emulator.cxone.validate import calls_of

VENDOR = "cxone"


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _bad(message: str) -> Response:
    return JSONResponse({"message": message}, status_code=400)


def _outcome(unit: CxoneTenant, script: str) -> dict[str, Any]:
    rule = unit.test_call_rules.get(normalize_path(script).lower()) or unit.test_call_rules.get("*")
    current = unit.current(script)
    out: dict[str, Any] = {"script": unit.resolve(script) or script}
    if current is not None:
        out["masterID"] = current.master_id
    if rule is not None:
        passed = bool(rule.get("passed"))
        default = "the test call went as expected" if passed else "the test call failed"
        return {**out, "passed": passed, "detail": str(rule.get("detail") or default)}
    if current is None:
        return {**out, "passed": False, "detail": f"no script {script} in this business unit"}
    missing = _missing_callee(unit, out["script"])
    if missing is not None:
        caller, callee = missing
        detail = f"test call to {out['script']}: {caller} runs {callee}, which is not here"
        return {**out, "passed": False, "detail": detail}
    detail = f"test call to {out['script']} (masterID {current.master_id}) ended normally"
    return {**out, "passed": True, "detail": detail}


def _missing_callee(unit: CxoneTenant, start: str) -> tuple[str, str] | None:
    """The first ``(caller, callee)`` on the call's way (RUNSUB/SPAWN/RUNSCRIPT, followed
    breadth-first) whose callee is not a script of the unit."""
    seen, todo = {start.lower()}, [start]
    while todo:
        path = todo.pop(0)
        version = unit.current(path)
        for _, _, callee in calls_of(version.script) if version else []:
            stored = unit.resolve(callee)
            if stored is None:
                return path, callee
            if stored.lower() not in seen:
                seen.add(stored.lower())
                todo.append(stored)
    return None


def test_call_routes(ctx: EmulatorContext, tenant: str) -> list[Route]:
    """The hook and its controls for one business unit (looked up per request: a reset
    rebuilds the tenant)."""

    def unit() -> CxoneTenant:
        found: CxoneTenant = ctx.tenant(VENDOR, tenant)
        return found

    async def call(request: Request) -> Response:
        body = await _body(request)
        if body is None or not isinstance(body.get("script"), str) or not body["script"]:
            return _bad('body must be {"run", "environment", "script": "<script path>"}')
        bu = unit()
        answer = _outcome(bu, body["script"])
        answer["call"] = len(bu.test_calls) + 1
        bu.test_calls.append(
            {
                "run": body.get("run"),
                "environment": body.get("environment"),
                "script": body["script"],
                "passed": answer["passed"],
                "at": ctx.clock.iso(),
            }
        )
        return JSONResponse(answer)

    async def control(request: Request) -> Response:
        bu = unit()
        if request.method == "PUT":
            body = await _body(request)
            rules = body.get("scripts") if body else None
            if not isinstance(rules, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("passed"), bool) for v in rules.values()
            ):
                return _bad('body must be {"scripts": {"<path>" | "*": {"passed": bool}}}')
            bu.test_call_rules = {
                (k if k == "*" else normalize_path(k).lower()): dict(v) for k, v in rules.items()
            }
        return JSONResponse({"rules": bu.test_call_rules, "calls": bu.test_calls})

    return [
        Route("/_emulator/testcall", call, methods=["POST"]),
        Route("/_emulator/testcall", control, methods=["GET", "PUT"]),
    ]
