"""Changing the dev tenant between releases, as a person editing a flow would (real API)."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from tests.pipelines.promote.conftest import PROJECT

__all__ = ["reword_dev"]


def reword_dev(emu: EmulatorThread, text: str) -> None:
    """Change the first say node of a dev flow the tests do not run (smoke still passes): the
    playbooks and simulations run the flow of the project's endpoint (``flowId`` of ``GET
    /endpoints/{id}``: the listing has no such detail)."""
    base, head = emu.base("cognigy", "dev"), {"X-API-Key": "cognigy-dev-admin-apikey"}
    projects = httpx.get(f"{base}/new/v2.0/projects", headers=head).json()["items"]
    pid = next(p["_id"] for p in projects if p["name"] == PROJECT)
    eps = httpx.get(f"{base}/new/v2.0/endpoints", params={"projectId": pid}, headers=head)
    simulated = {
        httpx.get(f"{base}/new/v2.0/endpoints/{e['_id']}", headers=head).json()["flowId"]
        for e in eps.json()["items"]
    }
    flows = httpx.get(
        f"{base}/new/v2.0/flows", params={"projectId": pid, "limit": 100}, headers=head
    ).json()["items"]
    for flow in sorted(flows, key=lambda f: str(f["name"])):
        if flow["referenceId"] in simulated:
            continue
        chart = httpx.get(f"{base}/new/v2.0/flows/{flow['_id']}/chart", headers=head).json()
        says = [n for n in chart["nodes"] if n["type"] == "say"]
        if says:
            url = f"{base}/new/v2.0/flows/{flow['_id']}/chart/nodes/{says[0]['_id']}"
            config = {"say": {"type": "text", "text": [text], "data": {}}}
            httpx.patch(url, json={"config": config}, headers=head).raise_for_status()
            return
    raise AssertionError("no dev flow with a say node outside the simulation")
