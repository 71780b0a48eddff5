"""The caller's own grants (SDK ``AuthorizationApi.get_authorization_subjects_me`` →
``AuthzSubject``): what ``cxops doctor`` reads to name the permissions a client lacks.

The subject is the OAuth client; it holds one role (named after the emulator credential:
``admin``, ``readonly``) granted in every division of the org. With ``includeFullRoles=true``
the role carries its ``policies`` (``AuthzGrantPolicy``: ``domain``, ``entityName``,
``actions``), one per ``domain:entity`` of the credential's permissions; the admin credential's
``*`` becomes ``<domain>:*:*`` for every domain the emulator checks (a wildcard entity and
action, as a role's "All Permissions" of a domain; not verified against a live org).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.genesys.common import Api, ok
from cxops.emulator.genesys.wire import iso
from cxops.emulator.tokens import Principal

#: The permission domains the emulator's routes check.
DOMAINS = ("analytics", "architect", "textbots")
PATH = "/api/v2/authorization/subjects/me"


def policies(scopes: frozenset[str]) -> list[dict[str, Any]]:
    """``AuthzGrantPolicy`` JSON for a credential's permissions, one per ``domain:entity``."""
    grouped: dict[tuple[str, str], set[str]] = {}
    for scope in scopes:
        if scope == "*":
            for domain in DOMAINS:
                grouped.setdefault((domain, "*"), set()).add("*")
            continue
        domain, _, rest = scope.partition(":")
        entity, _, action = rest.partition(":")
        grouped.setdefault((domain, entity or "*"), set()).add(action or "*")
    return [
        {"domain": d, "entityName": e, "actions": sorted(a)}
        for (d, e), a in sorted(grouped.items())
    ]


def routes(api: Api) -> list[Route]:
    async def subjects_me(request: Request) -> Response:
        """``GET /authorization/subjects/me``: the caller's grants (any valid token)."""
        who = api.auth(request, None)
        if not isinstance(who, Principal):
            return who
        full = request.query_params.get("includeFullRoles", "").lower() == "true"
        cred = who.credential
        role: dict[str, Any] = {
            "id": f"role-{cred.name}",
            "name": f"cxops {cred.name}",
            "description": f"emulator credential {cred.name}",
            "default": False,
            "selfUri": f"/api/v2/authorization/roles/role-{cred.name}",
        }
        if full:
            role["policies"] = policies(who.scopes)
        grants = [
            {
                "subjectId": who.client,
                "division": {
                    "id": d["id"],
                    "name": d["name"],
                    "selfUri": d["selfUri"],
                },
                "role": role,
                "grantMadeAt": iso(0.0),
            }
            for d in sorted(api.org.divisions.values(), key=lambda d: d["name"])
        ]
        return ok(
            {
                "id": who.client,
                "name": cred.name,
                "grants": grants,
                "version": 1,
                "selfUri": PATH,
            }
        )

    return [Route(PATH, subjects_me, methods=["GET"])]
