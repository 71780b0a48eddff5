"""The caller's own rights (``AdministrationAPIGroup_2_0.readUserAclMe``: ``GET
/new/v2.0/users/me/acl`` → ``IUserAcl_2_0``): what ``cxops doctor`` reads to name the rights an API
key lacks (an API key carries its user's roles: docs/connect/cognigy.md).

``organisationWide`` holds ``rights`` for every ``TOrganisationWidePermissions`` and the global
``roles``; ``projectWide`` holds, per project id, ``rights`` for every ``TProjectWidePermissions``
and ``TOrganisationWidePermissions`` (``ICrudPermissions``: ``create``, ``read``, ``update``,
``delete``), the project ``roles`` and ``allowedLocales``. The emulator derives them from the
credential's scopes: ``<area>:read`` gives ``read`` on the rights of that area, ``<area>:write``
(or ``:run``) ``create``/``update``/``delete``; ``*`` gives everything and the ``admin`` /
``projectAdmin`` roles, any other credential ``base_role``, ``apiKeys`` / ``basic``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy.api import Api, ok
from cxops.emulator.tokens import Principal

#: ``TOrganisationWidePermissions`` and ``TProjectWidePermissions`` of the client's types.
ORG_RIGHTS = (
    "analyticsOdata", "apiKeys", "assignProject", "liveAgentAccount", "projects", "userDetails",
    "users", "voiceGatewayAccount",
)  # fmt: skip
PROJECT_RIGHTS = (
    "agentAssistConfigs", "analytics", "connections", "contactProfiles", "conversationHistory",
    "endpoints", "extensions", "extensionsTrust", "flowNodeComments", "flowNodeDescription",
    "flowNodes", "functions", "flows", "followUser", "intents", "largeLanguageModels",
    "knowledgeStores", "lexicons", "liveAgentInbox", "locales", "logs", "memberDetails", "members",
    "milestones", "nluConnectors", "packages", "playbooks", "project", "projectSettings",
    "snapshots", "states", "tasks", "tokens", "yesNoIntents", "dataPrivacySettings",
)  # fmt: skip
#: The emulator's scope areas → the rights they stand for.
AREAS = {
    "projects": ("projects", "project"),
    "flows": ("flows", "flowNodes", "intents"),
    "resources": ("lexicons", "connections"),
    "snapshots": ("snapshots",),
    "packages": ("packages",),
    "tasks": ("tasks",),
    "endpoints": ("endpoints",),
    "conversations": ("conversationHistory",),
    "playbooks": ("playbooks",),
}


def _crud(who: Principal, right: str) -> dict[str, bool]:
    areas = [a for a, rights in AREAS.items() if right in rights]
    read = any(who.allows(f"{a}:read") for a in areas)
    write = any(who.allows(f"{a}:write") or who.allows(f"{a}:run") for a in areas)
    if "*" in who.scopes:
        read = write = True
    return {"create": write, "read": read, "update": write, "delete": write}


def acl(who: Principal, projects: list[dict[str, Any]]) -> dict[str, Any]:
    """``IUserAcl_2_0`` for the caller over these projects."""
    admin = "*" in who.scopes
    org = {r: _crud(who, r) for r in ORG_RIGHTS}
    return {
        "organisationWide": {
            "rights": org,
            "roles": ["admin"] if admin else ["base_role", "apiKeys"],
        },
        "projectWide": {
            str(p["_id"]): {
                "rights": {**org, **{r: _crud(who, r) for r in PROJECT_RIGHTS}},
                "roles": ["projectAdmin"] if admin else ["basic"],
                "allowedLocales": [
                    {"localeId": str(p[k]), "primary": True}
                    for k in ("primaryLocaleReference",)
                    if p.get(k)
                ],
            }
            for p in projects
        },
    }


def routes(api: Api) -> list[Route]:
    async def acl_me(request: Request) -> Response:
        who = api.auth(request, None)
        if isinstance(who, Response):
            return who
        return ok(acl(who, [api.t.projects[k] for k in sorted(api.t.projects)]))

    return [Route("/new/v2.0/users/me/acl", acl_me)]
