"""The official Cognigy client (npm ``@cognigy/rest-api-client``, pinned in this folder's
package.json and package-lock.json, installed by ``make check``) runs ``contract.js`` against
the emulator over real HTTP: every route cxops calls, in the client's own URLs, bodies, query
strings and uploads; error bodies picked by their numeric codes; OAuth2 as the client sends it.

Without Node or the installed client the test skips, but fails when ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread

HERE = Path(__file__).parent
CLIENT = HERE / "node_modules" / "@cognigy" / "rest-api-client"
PROJECT = "Appointment Booking"
#: Every client method the script must call successfully (the routes cxops calls).
ROUTES = {
    "indexProjects", "readProject", "indexFlows", "readFlow", "updateFlow", "readChart",
    "indexChartNodes", "readChartNode", "updateChartNode", "indexIntents", "indexSentences",
    "indexLexicons",
    "readLexicon", "indexLexiconKeyphrases", "indexConnections", "readConnection",
    "indexEndpoints", "readEndpoint", "updateEndpoint", "indexPlaybooks", "readPlaybook",
    "schedulePlaybook", "readPlaybookRun", "indexPlaybookRuns", "createSnapshot",
    "indexSnapshots", "readSnapshot", "packageSnapshot", "composeSnapshotDownloadLink",
    "uploadSnapshotPackage", "restoreSnapshot", "deleteSnapshot", "createPackage",
    "indexPackages", "composePackageDownloadLink", "uploadPackage", "mergePackage",
    "indexTasks", "login:clientCredentials", "indexProjects:oauth", "readUserAclMe",
}  # fmt: skip


def _permission_names() -> tuple[set[str], set[str]]:
    """``TOrganisationWidePermissions`` and ``TProjectWidePermissions`` of the client's types."""
    text = (CLIENT / "types" / "index.d.ts").read_text(encoding="utf-8")

    def names(const: str) -> set[str]:
        found = re.search(rf"declare const {const}: readonly \[(.*?)\];", text, re.S)
        assert found, const
        return set(re.findall(r'"(\w+)"', found.group(1)))

    return names("organisationWidePermissions"), names("projectWidePermissions")


def _node() -> str:
    node = shutil.which("node")
    if node is None or not CLIENT.is_dir():
        why = "node is not on PATH" if node is None else f"{CLIENT} is not installed (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Cognigy contract test cannot run: {why}")
        pytest.skip(f"{why}; run `make check` (it runs npm ci in {HERE})")
    return node


def run_contract(emu: EmulatorThread) -> dict[str, dict[str, Any]]:
    """Run contract.js against the emulator's dev and prod tenants; its lines by op."""
    node = _node()
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]
    creds = info["dev"]["credentials"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEV_BASE": info["dev"]["base_url"],
        "PROD_BASE": info["prod"]["base_url"],
        "DEV_KEY": creds["admin"]["api_key"],
        "PROD_KEY": info["prod"]["credentials"]["admin"]["api_key"],
        "READONLY_KEY": creds["readonly"]["api_key"],
        "CLIENT_ID": creds["admin"]["client_id"],
        "CLIENT_SECRET": creds["admin"]["client_secret"],
        "PROJECT": PROJECT,
    }
    done = subprocess.run(
        [node, "contract.js"], cwd=HERE, env=env, capture_output=True, text=True, timeout=300
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    failed = [line for line in lines if not line["ok"]]
    assert done.returncode == 0 and not failed, (failed, done.stderr[-2000:])
    return {line["op"]: line for line in lines}


def test_official_client_runs_every_route_cxops_calls(emu: EmulatorThread) -> None:
    """Each route answers the official client without an error, in the documented shapes."""
    emu.ctx.clock.set_speed(200)  # tasks end in ~13 ms
    ops = run_contract(emu)
    assert set(ops) >= ROUTES, sorted(ROUTES - set(ops))
    # Listings hold only their index items' fields; the rest is on the one-by-one reads.
    endpoint_item = set(ops["indexEndpoints"]["facts"]["itemKeys"])
    assert "entrypoint" not in endpoint_item and "active" not in endpoint_item
    assert ops["readEndpoint"]["facts"]["active"] is True
    assert ops["readLexicon"]["facts"] == {"hasKeyphrases": False, "hasEntries": False}
    keyphrases = ops["indexLexiconKeyphrases"]["facts"]
    assert keyphrases["page"] == 5 < keyphrases["total"]  # paged
    assert keyphrases["itemKeys"] == ["_id", "isMainKeyphrase", "lexiconEntryReference", "value"]
    # Updates answer {}; a task's data names its parameters, never what it made.
    for op in ("updateEndpoint", "updateFlow", "updateChartNode"):
        assert ops[op]["facts"]["empty"] is True, op
    assert "snapshotId" not in ops["createSnapshot:task"]["facts"]["dataKeys"]
    assert "packageId" not in ops["createPackage:task"]["facts"]["dataKeys"]
    assert "playbookRunId" in ops["schedulePlaybook:task"]["facts"]["dataKeys"]
    assert ops["readPlaybookRun"]["facts"]["status"] == "successful"
    assert "mergePackage" in ops["indexTasks"]["facts"]["names"]
    assert ops["readEndpoint:after"]["facts"]["sameHash"] is True
    # The caller's rights (cxops doctor): every permission name of the client's types, CRUD each.
    org, project = _permission_names()
    for op, roles, create in (
        ("readUserAclMe", ["admin"], True),
        ("readUserAclMe:readonly", ["base_role", "apiKeys"], False),
    ):
        acl = ops[op]["facts"]
        assert acl["orgRoles"] == roles and acl["snapshotsCreate"] is create, op
        assert acl["orgRights"] == sorted(org) and acl["projectRights"] == sorted(org | project)
        assert acl["crudKeys"] == ["create", "delete", "read", "update"] and acl["projects"] > 1
    # Error bodies' numeric codes pick the client's classes (1002 → ResourceNotFoundError).
    assert ops["readProject:404"]["facts"]["error"] == "ResourceNotFoundError"
    assert ops["createSnapshot:403"]["facts"]["error"] == "ForbiddenError"
    assert ops["indexProjects:401"]["facts"]["error"] == "UnauthorizedError"
