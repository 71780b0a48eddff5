"""CXone test calls: the promotion's synthetic-conversation gate for a vendor without one.

CXone has no API that places a test call and judges it (VENDORS.md), so the ``--tests`` file
names the team's own test-call hooks::

    cxone:
      timeout: 30                      # seconds per call (default 30)
      test_calls:
        - name: Billing smoke
          url: "https://tests.example.com/{environment}/call"   # {environment}: dev, prod, ...
          script: 'Billing\\Billing_Main'

For each call cxops POSTs ``{"run", "environment", "script"}`` as JSON with a plain httpx client
(not the vendor transport: the hook is not CXone; like the webhook relay) and reads
``{"passed": bool, "detail": ...}``. Anything else (no answer, an HTTP error, no boolean
``passed``) is a failed call with the reason. The simulation gate runs the calls against the
source environment; verify runs the same calls against the target (smoke).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from cxops import logs
from cxops.errors import InputError

__all__ = ["DEFAULT_TIMEOUT", "configured", "run"]

DEFAULT_TIMEOUT = 30.0


def _where(index: int) -> str:
    return f"--tests cxone.test_calls[{index}]"


def configured(tests: Mapping[str, Any], flows: Collection[str] | None = None) -> dict[str, Any]:
    """The checked ``cxone`` section: ``{"timeout", "calls": [{name, url, script}]}``; with
    ``flows`` (a scoped promotion: paths or short names) only calls of those scripts."""
    section = tests.get("cxone") or {}
    if not isinstance(section, Mapping):
        raise InputError("--tests cxone: expected a mapping with a 'test_calls' list")
    rows = section.get("test_calls") or []
    if not isinstance(rows, list):
        raise InputError("--tests cxone.test_calls: expected a list")
    calls = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InputError(f"{_where(i)}: expected a mapping with url and script")
        url, script = row.get("url"), row.get("script")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InputError(f"{_where(i)}: 'url' must be an http(s) URL")
        if not isinstance(script, str) or not script.strip():
            raise InputError(f"{_where(i)}: 'script' must be a script path (Folder\\Name)")
        name = row.get("name")
        calls.append({"name": str(name) if name else script, "url": url, "script": script})
    if flows:
        wanted = {f.lower() for f in flows}
        calls = [
            c
            for c in calls
            if c["script"].lower() in wanted
            or c["script"].replace("/", "\\").rpartition("\\")[2].lower() in wanted
        ]
    try:
        timeout = float(section.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        raise InputError("--tests cxone.timeout: expected seconds") from None
    return {"timeout": timeout, "calls": calls, "scoped": bool(flows)}


def _shown(url: str) -> str:
    """The hook's address without its query (it may carry a token)."""
    parts = urlsplit(url)
    return logs.redact(f"{parts.scheme}://{parts.netloc}{parts.path}")


async def _one(
    client: httpx.AsyncClient, call: Mapping[str, Any], *, run: str, environment: str
) -> dict[str, Any]:
    url = str(call["url"]).replace("{environment}", environment)
    out: dict[str, Any] = {
        "name": call["name"],
        "script": call["script"],
        "environment": environment,
        "url": _shown(url),
    }
    body = {"run": run, "environment": environment, "script": call["script"]}
    try:
        response = await client.post(url, json=body)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        reason = logs.redact(str(exc) or type(exc).__name__)
        return {**out, "passed": False, "detail": f"no answer from the hook: {reason}"}
    out["status"] = response.status_code
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400:
        return {**out, "passed": False, "detail": f"the hook answered HTTP {response.status_code}"}
    if not isinstance(answer, Mapping) or not isinstance(answer.get("passed"), bool):
        return {**out, "passed": False, "detail": "the hook answered without a boolean 'passed'"}
    detail = answer.get("detail")
    return {**out, "passed": answer["passed"], "detail": detail if detail is not None else ""}


async def run(config: Mapping[str, Any], *, run: str, environment: str) -> dict[str, Any]:
    """Every configured call against ``environment``: ``{"passed", "calls", "failed"}``, or
    ``{"passed": True, "skipped": why}`` when there is none."""
    calls = list(config["calls"])
    if not calls:
        why = (
            "no test call of the promoted scripts in --tests cxone.test_calls"
            if config.get("scoped")
            else "no --tests cxone.test_calls (CXone has no simulation API)"
        )
        return {"passed": True, "skipped": why, "calls": []}
    timeout = httpx.Timeout(config["timeout"], connect=min(5.0, config["timeout"]))
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        results = await asyncio.gather(
            *(_one(client, c, run=run, environment=environment) for c in calls)
        )
    failed = [r["name"] for r in results if not r["passed"]]
    return {"passed": not failed, "calls": list(results), "failed": failed}
