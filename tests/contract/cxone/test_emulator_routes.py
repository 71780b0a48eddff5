"""Every CXone route cxops uses answers, on the emulator, exactly the fields the public evidence
shows (tests/contract/cxone/evidence.py): no more, none missing. The emulator cannot drift from
the live shapes again without this failing."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import jsonschema
import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.cxone.fixtures import INACTIVE_SCRIPT, LONG_HISTORY
from cxops.emulator.cxone.store import HISTORY_WRAPS, CxoneTenant
from tests.contract.cxone import evidence
from tests.emulator.cxone.conftest import Cx


def conforms(body: Any, schema: dict[str, Any]) -> None:
    jsonschema.validate(body, schema, cls=jsonschema.Draft7Validator)


def _paths(cx: Cx) -> list[str]:
    unit: CxoneTenant = cx.emu.ctx.tenant("cxone", cx.tenant)
    return unit.paths()


def test_token_and_discovery(cx: Cx) -> None:
    """POST /auth/token and GET /.well-known/cxone-configuration."""
    conforms(cx.token_response().json(), evidence.TOKEN)
    found = httpx.get(f"{cx.base}/.well-known/cxone-configuration", params={"tenantId": "dev"})
    conforms(found.json(), evidence.DISCOVERY)


def test_search_in_every_form_it_is_asked(cx: Cx) -> None:
    """GET scripts/search: default, includeInactive, a name filter, a page; 204 when empty."""
    for params in ({}, {"includeInactive": "true"}, {"scriptName": "Billing"},
                   {"skip": 3, "top": 4}, {"mediaType": 4}):  # fmt: skip
        response = cx.get("/scripts/search", **params)
        assert response.status_code == 200, params
        conforms(response.json(), evidence.SEARCH)
    every = cx.get("/scripts/search", includeInactive="true").json()["scriptSearchDetails"]
    assert {r["status"] for r in every} >= {"CURR"} and len({r["status"] for r in every}) == 2
    assert INACTIVE_SCRIPT in {r["scriptName"] for r in every}
    empty = cx.get("/scripts/search", scriptName="no-such-script")
    assert (empty.status_code, empty.content) == (204, b"")


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_every_script_by_path_and_by_id(emu: EmulatorThread, tenant: str) -> None:
    """GET scripts?scriptPath= for every script, and ?scriptId= for every stored version."""
    cx = Cx(emu, tenant)
    unit: CxoneTenant = emu.ctx.tenant("cxone", tenant)
    for path in unit.paths():
        conforms(cx.script(path), evidence.SCRIPT)
        for version in unit.scripts[path][-2:]:
            by_id = cx.get("/scripts", scriptId=version.master_id)
            conforms(by_id.json(), evidence.SCRIPT)


@pytest.mark.parametrize("wrap", HISTORY_WRAPS)
def test_history_of_every_script_in_every_wrap(emu: EmulatorThread, wrap: str) -> None:
    """GET scripts/historyByName for every script of both units (plain), and for a few of
    them wrapped each way."""
    for tenant in ("dev", "prod"):
        cx = Cx(emu, tenant)
        unit: CxoneTenant = emu.ctx.tenant("cxone", tenant)
        unit.history_wrap = wrap
        for path in unit.paths() if not wrap else unit.paths()[:3]:
            response = cx.get("/scripts/historyByName", scriptPath=path)
            conforms(response.json(), evidence.HISTORY)
    tenant, path, count = LONG_HISTORY
    body = Cx(emu, tenant).get("/scripts/historyByName", scriptPath=path).json()
    rows = body.get("versions") or (body.get("scriptHistory") or body["resultSet"]["scriptHistory"])
    assert len(rows["versions"] if isinstance(rows, dict) else rows) == count


def test_save_answers_200_206_409_in_the_live_shape(cx: Cx) -> None:
    """POST scripts: a clean, a warned and a refused save all answer the batch shape."""
    for path, status in (("Common\\Auth_PIN", 200), ("Flawed\\Legacy_Prompts", 206),
                         ("Flawed\\Broken_Menu", 409), ("Flawed\\Missing_Sub", 409)):  # fmt: skip
        response = cx.save(cx.script(path))
        assert response.status_code == status, path
        conforms(response.json(), evidence.SAVE)


def test_delete_is_204_without_a_body(cx: Cx) -> None:
    """DELETE scripts?scriptPath= (the typings: ``Promise<void>``)."""
    gone = httpx.delete(
        cx.api + "/scripts", params={"scriptPath": "Common\\Log_Call"}, headers=cx.headers()
    )
    assert (gone.status_code, gone.content) == (204, b"")


def test_the_schemas_catch_drift(cx: Cx) -> None:
    """An extra field, or a missing one, anywhere in an answer fails the check."""
    body = cx.save(cx.script("Flawed\\Broken_Menu")).json()
    extra = copy.deepcopy(body)
    extra["results"][0]["error_code"]["details"]["actions"]["2"]["errors"][0]["line"] = 2
    missing = copy.deepcopy(body)
    del missing["results"][0]["masterId"]
    invented = {**body, "errors": {}}
    for bad in (extra, missing, invented):
        with pytest.raises(jsonschema.ValidationError):
            conforms(bad, evidence.SAVE)
    history = cx.get("/scripts/historyByName", scriptPath="Main\\IVR_Main").json()
    with pytest.raises(jsonschema.ValidationError):
        conforms({**history, "totalRecords": 2}, evidence.HISTORY)
