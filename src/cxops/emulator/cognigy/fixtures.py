"""Cognigy fixture tenants, deterministic from the seed.

- ``dev``: three clean projects (30, 12 and 6 flows) and five "Flawed - …" projects.
- ``prod``: the same three clean projects in their older state (version 1 wording, without the
  newest flow), each with one snapshot taken at that state, ready for promotion tests; prod has
  no ``/testing`` simulator (a tenant without it answers 404 there).

``FLAWS`` lists every deliberate flaw of ``dev`` for the default seed; ``flaws(seed)`` for others.
"""

from __future__ import annotations

import copy
import functools
import pickle
from typing import Any

from cxops.emulator.cognigy.chart import Ids
from cxops.emulator.cognigy.fixture_flaws import flawed_projects
from cxops.emulator.cognigy.fixture_projects import (
    BASE_MS,
    Built,
    ProjectSpec,
    build_project,
    content_hash,
)
from cxops.emulator.cognigy.model import CognigyTenant

DEFAULT_SEED = 7  # EmulatorConfig's default seed

CLEAN = (
    ("customer-service", "Customer Service", 30),
    ("billing", "Billing Assistant", 12),
    ("appointments", "Appointment Booking", 6),
)

__all__ = ["FLAWS", "CognigyTenant", "build_tenant", "flaws"]


def build_tenant(seed: int, tenant: str) -> CognigyTenant:
    """A fresh tenant; ``prod`` holds the older state of dev's clean projects."""
    # Every emulator reset rebuilds tenants: unpickling a cached build is ~7x faster.
    fresh: CognigyTenant = pickle.loads(_pristine(seed, tenant))
    return fresh


@functools.lru_cache(maxsize=8)
def _pristine(seed: int, tenant: str) -> bytes:
    return pickle.dumps(_generate(seed, tenant))


def _generate(seed: int, tenant: str) -> CognigyTenant:
    ids = Ids(seed, tenant)
    prod = tenant == "prod"
    t = CognigyTenant(
        tenant, organisation=ids.oid("organisation"), user=ids.oid("user"), simulator=not prod
    )
    projects = [
        build_project(ids, ProjectSpec(k, n, f, version=1 if prod else 2, drop_last=prod), t.user)
        for k, n, f in CLEAN
    ]
    if not prod:
        projects += flawed_projects(ids, t.user)[0]
    for built in projects:
        _install(t, built)
        if prod:
            _snapshot(t, ids, built)
    return t


def _install(t: CognigyTenant, built: Built) -> None:
    pid = built.project["_id"]
    t.projects[pid] = built.project
    t.content[pid] = built.content
    for ep in built.endpoints:
        t.endpoints[ep["_id"]] = ep
    t.simulations[built.simulation["_id"]] = built.simulation
    t.playbooks[built.playbook["_id"]] = built.playbook


def _snapshot(t: CognigyTenant, ids: Ids, built: Built) -> None:
    pid = built.project["_id"]
    sid = ids.oid(pid, "snapshot", 0)
    t.snapshots[sid] = {
        "_id": sid,
        "name": "v1.0.0",
        "description": "Release 1.0.0 (fixture)",
        "hash": content_hash(built.content),
        "createdAt": BASE_MS + 86_400_000 * 200,
        "createdBy": t.user,
        "isPackaged": False,
        "packageExpiresAt": 0,
        "projectId": pid,
        "content": copy.deepcopy(built.content),
    }


def flaws(seed: int) -> list[dict[str, Any]]:
    """Every deliberate flaw of the dev tenant built from ``seed``."""
    ids = Ids(seed, "dev")
    return flawed_projects(ids, ids.oid("user"))[1]


FLAWS: list[dict[str, Any]] = flaws(DEFAULT_SEED)
