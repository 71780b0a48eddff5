"""Every field cxops reads from a Cognigy answer exists in the official client's TypeScript types
(``types/index.d.ts`` of the pinned ``@cognigy/rest-api-client``); a field the type lacks fails,
naming the route and the field.

:data:`READS` declares, per route, the interface of the answer and the fields cxops reads from
it. A second test keeps the declaration honest: it walks the Cognigy client code (``.get("x")``
and ``["x"]`` with a literal key) and fails on any key that is neither a declared vendor field
nor one of cxops' own structures (:data:`OWN`). Routes the client has no type for (``/testing``,
the OData host) are in :data:`OUTSIDE` with the evidence that backs them.

Without the installed client the test skips, but fails when ``CI=true``.
"""

from __future__ import annotations

import ast
import os
import re
from functools import cache
from pathlib import Path

import pytest

from tests.contract.cognigy.test_contract import CLIENT

TYPES = CLIENT / "types" / "index.d.ts"
SRC = Path(__file__).resolve().parents[3] / "src" / "cxops"
#: The modules that read Cognigy answers.
READERS = (
    "vendors/cognigy.py",
    "vendors/deploy/cognigy.py",
    "vendors/deploy/cognigy_tests.py",
    "pipelines/promote/cognigy.py",
    "pipelines/promote/cognigy_gates.py",
    "pipelines/resolve/cognigy_graph.py",
)  # model/native/cognigy.py converts the document these read; node ``config`` is untyped (any)
PAGE = ("items", "total")  # IMongoosePaginationPluginReturnValue: every listing's envelope

#: route → [(interface, fields cxops reads)]
READS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "GET /projects": [("IMongoosePaginationPluginReturnValue", PAGE),
                      ("IProjectIndexItem_2_0", ("_id", "name", "lastChanged"))],
    "GET /projects/{id}": [("IReadProjectRestReturnValue_2_0", ("_id", "name"))],
    "GET /flows": [("IFlowIndexItem_2_0", ("_id", "name", "referenceId", "lastChanged"))],
    "GET /flows/{id}": [("IReadFlowRestReturnValue_2_0",
                         ("_id", "name", "attachedLexicons", "attachedFlows"))],
    "GET /flows/{id}/chart": [("IReadChartRestReturnValue_2_0", ("nodes",)),
                              ("IChartNodeIndexItem_2_0", ("_id",))],
    # The listing's items are typed as index items; cxops reads ``config`` from them only when
    # they carry it (public code reads it there: docs/vendors.md), else reads the node itself.
    "GET /flows/{id}/chart/nodes": [("IMongoosePaginationPluginReturnValue", ("items",)),
                                    ("IChartNodeIndexItem_2_0", ("_id",))],
    "GET /flows/{id}/chart/nodes/{id}": [("IChartNode_2_0", ("_id", "type", "config"))],
    "GET /flows/{id}/intents": [("IIntentIndexItem_2_0", ("_id", "name"))],
    "GET /lexicons": [("ILexiconIndexItem_2_0", ("_id", "name", "referenceId", "lastChanged"))],
    "GET /lexicons/{id}": [("IReadLexiconRestReturnValue_2_0", ("_id", "referenceId", "name"))],
    "GET /lexicons/{id}/keyphrases": [
        ("ILexiconKeyphraseIndexItem_2_0",
         ("_id", "value", "isMainKeyphrase", "lexiconEntryReference")),
    ],
    "GET /connections": [
        ("IConnectionIndexItem_2_0", ("_id", "name", "referenceId", "lastChanged"))],
    "GET /snapshots": [("ISnapshotIndexItem_2_0", ("_id", "name", "createdAt", "hash"))],
    "GET /snapshots/{id}": [("IReadSnapshotRestReturnValue_2_0", ("isPackaged",))],
    "POST /snapshots (and every task-creating call)": [("ICreatedTask_2_0", ("_id",))],
    "POST /snapshots/{id}/downloadlink": [
        ("IComposeSnapshotDownloadLinkRestReturnValue_2_0", ("downloadLink",))],
    "POST /packages/{id}/downloadlink": [
        ("IComposePackageDownloadLinkRestReturnValue_2_0", ("downloadLink",))],
    "GET /packages": [("IPackageIndexItem_2_0", ("_id", "name", "createdAt"))],
    "GET /tasks": [("ITaskIndexItem_2_0", ("_id", "name", "status", "createdAt"))],
    "GET /tasks/{id}": [("ITask_2_0",
                         ("_id", "status", "failReason", "currentStep", "totalStep", "data"))],
    "GET /endpoints": [("IEndpointIndexItem_2_0", ("_id",))],
    "GET /endpoints/{id}": [("IReadEndpointRestReturnValue_2_0",
                             ("_id", "entrypoint", "active", "flowId", "localeId"))],
    "GET /playbooks": [("IPlaybookIndexItem_2_0", ("_id", "name"))],
    "GET /projects/{id}/graph": [("IGraphFlow", ("type", "_id", "dependencies")),
                                 ("IGraphFlowDependencyAttachment", ("_id",)),
                                 ("IGraphFlowDependencyFlowNode", ("_id",))],
    "POST /playbooks/{id}/schedule": [("ISchedulePlaybookRunRestReturnValue_2_0", ("_id",))],
    "GET /playbooks/{id}/runs/{id}": [
        ("IReadPlaybookRunRestReturnValue_2_0", ("_id", "status", "stepResults")),
        ("IPlaybookRunStepResult_2_0", ("status", "text", "asserts")),
        ("IPlaybookRunStepResultAssert_2_0", ("status", "type", "params")),
    ],
}  # fmt: skip

#: Keys read from an untyped value, each with the evidence that a vendor tool reads it.
EVIDENCED = {
    "playbookRunId": "GET /tasks/{id} data.playbookRunId: Cognigy-CLI src/lib/playbooks.ts",
    # IGraph_2_0 is {[projectId]: {type, name, resources: IGraphResource[]}} (a nested literal
    # type the declaration parser does not descend into).
    "resources": "GET /projects/{id}/graph: IGraph_2_0[projectId].resources",
}
#: Routes outside the client's types and the evidence for the fields read there.
OUTSIDE = {
    "data": "GET /testing/simulations(+/batches): {data, pagination{total}} (public tool)",
    "pagination": "GET /testing/simulations: pagination.total (public tool)",
    "batchMetrics": "GET /testing/simulations/batches: batchMetrics (public tool)",
    "runResults": "batchMetrics.runResults{succeeded, failed} (public tool)",
    "succeeded": "batchMetrics.runResults.succeeded (public tool)",
    "failed": "batchMetrics.runResults.failed (public tool)",
    "value": "OData {value: [...]}: Cognigy/Extensions getConversation.ts",
    "sessionId": "OData v2.3 Sessions.sessionId: Cognigy documentation (odata.md)",
}
#: cxops' own structures read in the same modules (plans, stage results, evidence, settings).
OWN = frozenset({
    "source", "target", "id", "flows", "kind", "stages", "package", "upload", "transfer",
    "snapshot", "repoint", "package_id", "resource_ids", "source_ids", "uploaded_at",
    "target_refs_before", "snapshot_id", "entrypoints", "endpoints", "mechanism", "taken_at",
    "tenants", "connections", "transport", "sessions_timeout", "override_sessions", "cognigy",
    "smoke", "playbooks", "simulations", "ref", "flow", "locale", "passed", "chart", "intents",
    "lexicons", "project", "_order", "properties", "keyphrases", "entry", "isMainKeyphrase",
    "nodes", "relations", "children", "next", "node", "index", "_relation", "sentences",
    "flowNode", "lexiconId", "derived", "health", "parity", "differences", "hash", "odata",
    "Content-Type", "id_map", "pairs", "plan", "store",
})  # fmt: skip


def _types() -> str:
    if not TYPES.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{TYPES} is missing: `make check` runs npm ci in {TYPES.parents[3]}")
        pytest.skip(f"{TYPES} is not installed; run `make check`")
    return TYPES.read_text(encoding="utf-8")


@cache
def _declarations(text: str) -> dict[str, tuple[set[str], list[str]]]:
    """Interface or type name → (its own fields, the names it extends or intersects)."""
    out: dict[str, tuple[set[str], list[str]]] = {}
    head = re.compile(
        r"^export (?:interface|declare type) (\w+)(?:<.*?>)?\s*(?:extends ([^{;]+?))?"
        r"\s*(=\s*([^{;]*?))?\{\s*$",
        re.M | re.S,
    )
    for found in head.finditer(text):
        name = found.group(1)
        end = text.index("\n}", found.end())
        body = text[found.end() : end]
        fields = set(re.findall(r"^\t(\w+)\??:", body, re.M))
        parents = re.findall(r"\b([A-Z]\w+)\b", (found.group(2) or "") + (found.group(4) or ""))
        out.setdefault(name, (set(), []))
        out[name][0].update(fields)
        out[name][1].extend(parents)
    # TAbstractTaskData_2_0 maps the payload to {name, data} (a conditional type).
    out.setdefault("TAbstractTaskData_2_0", (set(), []))[0].update({"name", "data"})
    return out


def _fields(text: str, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    decls = _declarations(text)
    if name not in decls or name in seen:
        return set()
    own, parents = decls[name]
    out = set(own)
    for parent in parents:
        out |= _fields(text, parent, seen | {name})
    return out


def test_every_field_cxops_reads_is_in_the_clients_types() -> None:
    """Each declared (route, interface, field) resolves in types/index.d.ts."""
    text = _types()
    missing = []
    for route, reads in READS.items():
        for interface, fields in reads:
            have = _fields(text, interface)
            assert have, f"{route}: no interface {interface} in the client's types"
            missing += [f"{route}: {interface} has no field {f!r}" for f in fields if f not in have]
    assert not missing, "\n".join(missing)


def _keys_read(path: Path) -> set[str]:
    """String keys read with ``.get("k")`` or ``x["k"]`` in a module."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            out.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            out.add(node.slice.value)
    return out


def test_the_declaration_covers_every_key_the_code_reads() -> None:
    """A key read in the Cognigy client code is a declared vendor field, an evidenced key of an
    untyped value, a field of a route outside the types (with its evidence), or cxops' own."""
    declared = {f for reads in READS.values() for _, fields in reads for f in fields}
    known = declared | set(EVIDENCED) | set(OUTSIDE) | OWN
    unknown = {
        f"{name}: {key!r}"
        for name in READERS
        for key in _keys_read(SRC / name)
        if key not in known and not key.startswith(("$", "@"))
    }
    assert not unknown, "undeclared reads (add them to READS with their route):\n" + "\n".join(
        sorted(unknown)
    )


def test_a_field_the_type_lacks_fails_naming_route_and_field() -> None:
    """The check itself: a read the types do not have is reported with its route."""
    text = _types()
    have = _fields(text, "IEndpointIndexItem_2_0")
    assert "_id" in have and "entrypoint" not in have and "active" not in have
    assert {"entrypoint", "active"} <= _fields(text, "IReadEndpointRestReturnValue_2_0")
    assert "name" in _fields(text, "ITaskIndexItem_2_0")  # through TAbstractTaskData_2_0
    assert "entries" not in _fields(text, "IReadLexiconRestReturnValue_2_0")
