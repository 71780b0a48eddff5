"""Live signals a release gate reads: bot-flow health and active flows.

- ``GET /api/v2/flows/{id}/versions/{vid}/health`` (``ArchitectApi.get_flow_version_health``
  → ``FlowHealth{flowVersionInfo, languageInfo{lang: LocaleInfo}, intents[FlowHealthIntentInfo
  {languageHealth{lang: LocaleHealth{overallScore, issueCount, staticValidationResults}}}]}``),
  bot flows only. Unless a test control says otherwise, an intent scores
  ``min(1, 0.55 + 0.1 * samples)`` and has one issue per sample short of three.
- ``POST /api/v2/analytics/flows/observations/query`` (``AnalyticsApi.
  post_analytics_flows_observations_query``, ``FlowObservationQuery`` →
  ``FlowObservationQueryResponse{results[{group{flowId}, data[{metric:"oFlow", stats{count}}]}]}``):
  flows with no active sessions are left out, as analytics leaves out empty groups.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.genesys import document
from cxops.emulator.genesys.common import Api, ok
from cxops.emulator.genesys.state import Flow
from cxops.emulator.tokens import Principal

BOT_TYPES = {"DIGITALBOT", "BOT"}
FEW_SAMPLES = 3


def health_body(
    flow: Flow, vid: str, config: dict[str, Any], override: dict[str, Any] | None, language: str
) -> dict[str, Any]:
    """``FlowHealth`` JSON for one version."""
    base = f"/api/v2/flows/{flow.id}/versions/{vid}"
    nlu = {
        "id": f"{flow.id}-nlu",
        "selfUri": f"/api/v2/languageunderstanding/domains/{flow.id}-nlu",
    }
    status = (override or {}).get("status", "Completed")
    locale: dict[str, Any] = {
        "status": status,
        "flowVersionInfo": {"nluVersion": {"id": f"{flow.id}-nlu-{vid}"}},
    }
    if status == "Error":
        text = (override or {}).get("errorMessage") or "NLU model training failed"
        locale["errorInfo"] = {"message": text, "code": "nlu.training.failed"}
    intents = []
    for intent in document.intents(config):
        samples = len(intent.get("utterances") or [])
        score = min(1.0, 0.55 + 0.1 * samples)
        issues = max(0, FEW_SAMPLES - samples)
        checks = ["TooFewUtterances"] if issues else []
        if override is not None:
            score = float(override.get("overallScore", score))
            issues = int(override.get("issueCount", issues))
        intents.append(
            {
                "id": intent.get("id"),
                "name": intent.get("name"),
                "languageHealth": {
                    language: {
                        "overallScore": round(score, 4),
                        "issueCount": issues,
                        "staticValidationResults": checks,
                    }
                },
                "selfUri": f"{base}/health/intents/{intent.get('id')}",
            }
        )
    return {
        "flowVersionInfo": {"flowVersion": {"id": vid, "selfUri": base}, "nluDomain": nlu},
        "languageInfo": {language: locale},
        "intents": intents,
        "selfUri": f"{base}/health",
    }


def _flow_ids(node: Any, out: list[str]) -> None:
    """Every ``flowId`` predicate value in a filter, its clauses included."""
    if not isinstance(node, dict):
        return
    for pred in node.get("predicates") or []:
        if isinstance(pred, dict) and pred.get("dimension") == "flowId" and pred.get("value"):
            out.append(str(pred["value"]))
    for clause in node.get("clauses") or []:
        _flow_ids(clause, out)


def routes(api: Api) -> list[Route]:
    """The health and observation routes of one tenant."""

    async def health(request: Request) -> Response:
        who = api.auth(request, "architect:flow:view")
        if not isinstance(who, Principal):
            return who
        flow = api.flow(request.path_params["flow_id"])
        if not isinstance(flow, Flow):
            return flow
        if flow.type not in BOT_TYPES:
            return api.error(400, f"Flow health is only available for bot flows, not {flow.type}.")
        vid = request.path_params["version_id"]
        version = flow.version(vid)
        if version is None:
            return api.error(404, f"Flow version '{vid}' not found.", "not.found")
        override = api.org.health.get((flow.id, vid)) or api.org.health.get((flow.id, None))
        language = request.query_params.get("language", "en-us")
        return ok(health_body(flow, vid, version.config, override, language))

    async def observations(request: Request) -> Response:
        who = api.auth(request, "analytics:flowObservation:view")
        if not isinstance(who, Principal):
            return who
        try:
            body = await request.json()
        except ValueError:
            return api.error(400, "The query is not JSON.", "bad.request")
        if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
            return api.error(400, "The query needs a filter.", "bad.request")
        metrics = body.get("metrics") or ["oFlow"]
        wanted: list[str] = []
        _flow_ids(body["filter"], wanted)
        org, now = api.org, api.now()
        ids = wanted or sorted(org.observations)
        results = []
        for fid in dict.fromkeys(ids):
            obs = org.observations.get(fid)
            count = obs.now(now) if obs is not None else 0
            if count <= 0 or "oFlow" not in metrics:
                continue
            results.append(
                {
                    "group": {"flowId": fid},
                    "data": [{"metric": "oFlow", "stats": {"count": count}, "truncated": False}],
                }
            )
        return ok({"results": results})

    return [
        Route("/api/v2/flows/{flow_id}/versions/{version_id}/health", health, methods=["GET"]),
        Route("/api/v2/analytics/flows/observations/query", observations, methods=["POST"]),
    ]
