"""Projects, flows, charts, chart nodes, intents, lexicons, connections and the project graph
(``ResourcesAPIGroup_2_0``: indexProjects, readProject, graphProject, indexFlows, readFlow,
readChart, indexChartNodes, readChartNode, updateChartNode, indexIntents, indexSentences,
indexLexicons, readLexicon, indexLexiconKeyphrases, indexConnections, readConnection).

A lexicon read has no keyphrases (``ILexicon_2_0``); they are a paged listing of their own,
``GET /lexicons/{id}/keyphrases`` (``ILexiconKeyphraseIndexItem_2_0``). A node update answers
``{}`` (``IUpdateChartNodeRestReturnValue_2_0``): clients read the node back.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy.api import Api, bad_request, body, not_found, ok
from cxops.emulator.cognigy.chart import index_item
from cxops.emulator.cognigy.graph import project_graph
from cxops.emulator.cognigy.paging import PagingError, page
from cxops.emulator.shuffle import page_order

FLOW_INDEX = (
    "_id",
    "referenceId",
    "name",
    "description",
    "isTrainingOutOfDate",
    "createdAt",
    "lastChanged",
    "createdBy",
    "lastChangedBy",
)
FLOW_PATCHABLE = ("name", "description", "attachedFlows", "attachedLexicons", "img", "context")
NODE_PATCHABLE = ("config", "label", "comment", "isDisabled", "analyticsLabel")
#: What a resource read leaves out (served by a route of its own).
HIDDEN = {"lexicons": ("keyphrases",)}
KEYPHRASE_INDEX = ("_id", "value", "isMainKeyphrase", "lexiconEntryReference")


def paged(items: list[dict[str, Any]], request: Request) -> Response:
    try:
        return ok(page(items, request.query_params))
    except PagingError as exc:
        return bad_request(str(exc))


def strip(resource: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k not in drop}


def routes(api: Api) -> list[Route]:
    async def projects(request: Request) -> Response:
        who = api.auth(request, "projects:read")
        if isinstance(who, Response):
            return who
        return paged(list(api.t.projects.values()), request)

    async def project(request: Request) -> Response:
        who = api.auth(request, "projects:read")
        if isinstance(who, Response):
            return who
        pid = request.path_params["projectId"]
        found = api.t.projects.get(pid)
        return ok(found) if found else not_found("Project", pid)

    async def graph(request: Request) -> Response:
        who = api.auth(request, "projects:read")
        if isinstance(who, Response):
            return who
        pid = request.path_params["projectId"]
        if pid not in api.t.projects:
            return not_found("Project", pid)
        graph = project_graph(api.t, pid)
        for entry in graph.values():
            entry["resources"] = page_order(api.ctx, entry["resources"], ("graph", pid))
            for res in entry["resources"]:
                if "dependencies" in res:
                    res["dependencies"] = page_order(api.ctx, res["dependencies"], res["_id"])
        return ok(graph)

    def _section(request: Request, kind: str) -> list[dict[str, Any]] | Response:
        pid = request.query_params.get("projectId")
        if pid is not None and pid not in api.t.content:
            return not_found("Project", pid)
        pids = [pid] if pid else list(api.t.content)
        return [r for p in pids for r in api.t.content[p][kind].values()]

    async def flows(request: Request) -> Response:
        who = api.auth(request, "flows:read")
        if isinstance(who, Response):
            return who
        items = _section(request, "flows")
        if isinstance(items, Response):
            return items
        return paged([{k: f[k] for k in FLOW_INDEX} for f in items], request)

    def _flow(request: Request) -> tuple[str, dict[str, Any]] | Response:
        fid = request.path_params["flowId"]
        found = api.t.flow(fid)
        return found if found else not_found("Flow", fid)

    def _readable(request: Request) -> tuple[str, dict[str, Any]] | Response:
        """The flow of the path for a caller allowed to read flows (else the refusal)."""
        who = api.auth(request, "flows:read")
        return who if isinstance(who, Response) else _flow(request)

    async def flow(request: Request) -> Response:
        write = request.method == "PATCH"
        who = api.auth(request, "flows:write" if write else "flows:read")
        if isinstance(who, Response):
            return who
        found = _flow(request)
        if isinstance(found, Response):
            return found
        pid, doc = found
        if write:  # IUpdateFlowRestDataBody_2_0 → {} (IUpdateFlowRestReturnValue_2_0)
            data = await body(request)
            if isinstance(data, Response):
                return data
            unknown = sorted(set(data) - set(FLOW_PATCHABLE))
            if unknown:
                return bad_request(f"cannot update flow fields {unknown}")
            for key in ("attachedFlows", "attachedLexicons"):
                if key in data and not (
                    isinstance(data[key], list) and all(isinstance(i, str) for i in data[key])
                ):
                    return bad_request(f"{key} must be a list of ids")
            doc.update(data, lastChanged=api.now_ms())
            fields = {"fields": sorted(data)}
            api.effect(request, "cognigy.flow.update", doc["_id"], pid, who, "patch", fields)
            return ok({})
        return ok({**strip(doc, "chart", "intents"), "projectReference": pid})

    async def chart(request: Request) -> Response:
        found = _readable(request)
        if isinstance(found, Response):
            return found
        c = found[1]["chart"]
        return ok(
            {
                "_id": c["_id"],
                "nodes": [index_item(n) for n in c["nodes"]],
                "relations": c["relations"],
            }
        )

    async def nodes(request: Request) -> Response:
        # indexChartNodes: the official client types the items as IChartNodeIndexItem_2_0;
        # public code run against live tenants reads each item's config from this listing
        # (TheHenkelmann/cognigy-api-client, NodesResource.get_all), so the items are the
        # nodes as GET .../chart/nodes/{id} gives them, in the chart's order (docs/emulator).
        found = _readable(request)
        if isinstance(found, Response):
            return found
        return paged(list(found[1]["chart"]["nodes"]), request)

    async def node(request: Request) -> Response:
        scope = "flows:read" if request.method == "GET" else "flows:write"
        who = api.auth(request, scope)
        if isinstance(who, Response):
            return who
        found = _flow(request)
        if isinstance(found, Response):
            return found
        pid, doc = found
        nid = request.path_params["nodeId"]
        target = next((n for n in doc["chart"]["nodes"] if n["_id"] == nid), None)
        if target is None:
            return not_found("Node", nid)
        if request.method == "PATCH":
            data = await body(request)
            if isinstance(data, Response):
                return data
            unknown = sorted(set(data) - set(NODE_PATCHABLE))
            if unknown:
                return bad_request(f"cannot update node fields {unknown}")
            target.update(data)
            doc["lastChanged"] = api.now_ms()
            api.effect(
                request,
                "cognigy.node.update",
                nid,
                pid,
                who,
                "patch",
                {"flowId": doc["_id"], "fields": sorted(data)},
            )
            return ok({})
        return ok(target)

    async def intents(request: Request) -> Response:
        who = api.auth(request, "flows:read")
        if isinstance(who, Response):
            return who
        found = _flow(request)
        if isinstance(found, Response):
            return found
        return paged([strip(i, "sentences") for i in found[1]["intents"]], request)

    async def sentences(request: Request) -> Response:
        who = api.auth(request, "flows:read")
        if isinstance(who, Response):
            return who
        found = _flow(request)
        if isinstance(found, Response):
            return found
        iid = request.path_params["intentId"]
        intent = next((i for i in found[1]["intents"] if i["_id"] == iid), None)
        if intent is None:
            return not_found("Intent", iid)
        return paged(intent["sentences"], request)

    def _listing(kind: str, drop: tuple[str, ...]) -> Any:
        async def handler(request: Request) -> Response:
            who = api.auth(request, "resources:read")
            if isinstance(who, Response):
                return who
            items = _section(request, kind)
            if isinstance(items, Response):
                return items
            return paged([strip(r, *drop) for r in items], request)

        return handler

    def _reader(kind: str, label: str, param: str) -> Any:
        async def handler(request: Request) -> Response:
            who = api.auth(request, "resources:read")
            if isinstance(who, Response):
                return who
            rid = request.path_params[param]
            found = api.t.resource(kind, rid)
            if found is None:
                return not_found(label, rid)
            doc = {**strip(found[1], *HIDDEN.get(kind, ())), "projectReference": found[0]}
            if kind == "lexicons":
                doc["isPackedForDownload"] = False  # IReadLexiconRestReturnValue_2_0
            return ok(doc)

        return handler

    async def keyphrases(request: Request) -> Response:
        who = api.auth(request, "resources:read")
        if isinstance(who, Response):
            return who
        lid = request.path_params["lexiconId"]
        found = api.t.resource("lexicons", lid)
        if found is None:
            return not_found("Lexicon", lid)
        rows = found[1].get("keyphrases") or []
        entry = request.query_params.get("entryId")
        rows = [k for k in rows if entry is None or k["lexiconEntryReference"] == entry]
        return paged([{k: row[k] for k in KEYPHRASE_INDEX} for row in rows], request)

    v2 = "/new/v2.0"
    return [
        Route(f"{v2}/projects", projects),
        Route(f"{v2}/projects/{{projectId}}", project),
        Route(f"{v2}/projects/{{projectId}}/graph", graph),
        Route(f"{v2}/flows", flows),
        Route(f"{v2}/flows/{{flowId}}", flow, methods=["GET", "PATCH"]),
        Route(f"{v2}/flows/{{flowId}}/chart", chart),
        Route(f"{v2}/flows/{{flowId}}/chart/nodes", nodes),
        Route(f"{v2}/flows/{{flowId}}/chart/nodes/{{nodeId}}", node, methods=["GET", "PATCH"]),
        Route(f"{v2}/flows/{{flowId}}/intents", intents),
        Route(f"{v2}/flows/{{flowId}}/intents/{{intentId}}/sentences", sentences),
        Route(f"{v2}/lexicons", _listing("lexicons", HIDDEN["lexicons"])),
        Route(f"{v2}/lexicons/{{lexiconId}}", _reader("lexicons", "Lexicon", "lexiconId")),
        Route(f"{v2}/lexicons/{{lexiconId}}/keyphrases", keyphrases),
        Route(f"{v2}/connections", _listing("connections", ("fields",))),
        Route(
            f"{v2}/connections/{{connectionId}}",
            _reader("connections", "Connection", "connectionId"),
        ),
    ]
