"""The dev/prod fixture business units: deterministic, realistic, flawed exactly as FLAWS says."""

from __future__ import annotations

from typing import Any

from cxops.emulator.cxone.fixtures import FLAWS, INACTIVE_SCRIPT, LONG_HISTORY, build_tenant
from cxops.emulator.cxone.store import CxoneTenant
from cxops.emulator.cxone.validate import calls_of, validate

_BODY = ("actions", "properties", "branches")


def _script(unit: CxoneTenant, path: str) -> dict[str, Any]:
    version = unit.current(path)
    assert version is not None, path
    return version.script


def _body(script: dict[str, Any]) -> tuple[object, ...]:
    return tuple(script[k] for k in _BODY)


def _problems(unit: CxoneTenant) -> set[tuple[str, str, str]]:
    """(flow, action id, CX201|CX202) for every validation finding of every current script."""
    out = set()
    for path in unit.paths():
        for p in validate(_script(unit, path), unit.exists):
            out.add((path, p.key, "CX201" if p.severity == "Error" else "CX202"))
    return out


def test_same_seed_same_content_other_seed_same_structure() -> None:
    """A seed fixes everything; another seed changes ids and dates, not the scripts' graphs."""
    a, b, c = build_tenant(7, "dev"), build_tenant(7, "dev"), build_tenant(8, "dev")
    assert a.summary() == b.summary()
    assert {p: [v.script for v in a.scripts[p]] for p in a.paths()} == {
        p: [v.script for v in b.scripts[p]] for p in b.paths()
    }
    assert a.bus_no != c.bus_no
    assert a.paths() == c.paths()
    assert all(_body(_script(a, p)) == _body(_script(c, p)) for p in a.paths())


def test_tenants_hold_ten_to_twenty_scripts_in_folders() -> None:
    """Both business units are realistic in size and organised in folders; dev also keeps one
    retired (inactive) script, prod one script with a long history."""
    for name in ("dev", "prod"):
        unit = build_tenant(7, name)
        assert 10 <= len([p for p in unit.paths() if unit.is_active(p)]) <= 20
        assert all("\\" in path for path in unit.paths())
        assert f"{len(unit.scripts)} scripts" in unit.summary()
    dev, prod = build_tenant(7, "dev"), build_tenant(7, "prod")
    assert [p for p in dev.paths() if not dev.is_active(p)] == [INACTIVE_SCRIPT]
    assert all(prod.is_active(p) for p in prod.paths())
    tenant, path, count = LONG_HISTORY
    unit = build_tenant(7, tenant)
    assert len(unit.scripts[path]) == count
    bodies = [_body(v.script) for v in unit.scripts[path]]
    assert len(set(map(repr, bodies))) == count  # every revision differs
    dates = [v.modify_date for v in unit.scripts[path]]
    assert dates[:-1] == sorted(dates[:-1]) and dates[-2] < dates[-1]


def test_prod_runs_older_versions_of_dev_scripts() -> None:
    """Every prod script is a version in dev's history; some differ from dev's current one."""
    dev, prod = build_tenant(7, "dev"), build_tenant(7, "prod")
    differ = []
    for path in prod.paths():
        assert not path.startswith("Flawed\\")
        prod_body = _body(_script(prod, path))
        assert prod_body in [_body(v.script) for v in dev.scripts[path]], path
        if prod_body != _body(_script(dev, path)):
            differ.append(path)
    assert "Main\\IVR_Main" in differ and len(differ) >= 3
    assert set(dev.paths()) - set(prod.paths()) >= {"Sales\\Callback_Offer", "Common\\Log_Call"}


def test_healthy_scripts_validate_clean_and_menus_can_be_left() -> None:
    """Outside Flawed\\, no script has a validation finding; every MENU has a way out."""
    for name in ("dev", "prod"):
        unit = build_tenant(7, name)
        assert {f for f in _problems(unit) if not f[0].startswith("Flawed\\")} == set()
        for path in unit.paths():
            script = _script(unit, path)
            for key, action in script["actions"].items():
                if action["name"] == "MENU":
                    labels = {b["label"] for b in script["branches"][key]}
                    assert {"OnTimeout", "OnInvalid"} <= labels, (path, key)


def test_flaws_list_every_compile_finding_of_dev_exactly() -> None:
    """CX201/CX202 entries of FLAWS are exactly what the validator finds in dev."""
    listed = {(f["flow"], f["node"], f["code"]) for f in FLAWS if f["code"] in ("CX201", "CX202")}
    assert listed == _problems(build_tenant(7, "dev"))
    assert len({f["node"] for f in FLAWS if f["flow"] == "Flawed\\Broken_Menu"}) >= 3


def test_flaws_unreachable_missing_and_cycle_are_real() -> None:
    """CX104 nodes are unreachable, CX105 calls a missing script, CX101 is a call cycle."""
    dev = build_tenant(7, "dev")
    for flaw in FLAWS:
        assert set(flaw) == {"vendor", "tenant", "project", "flow", "node", "code", "what"}
        assert (flaw["vendor"], flaw["tenant"], flaw["project"]) == ("cxone", "dev", "Flawed")
        script = _script(dev, flaw["flow"])
        assert flaw["node"] in script["actions"]
        codes = {p.code for p in validate(script, dev.exists) if p.key == flaw["node"]}
        if flaw["code"] == "CX104":
            assert codes == {"UNREACHABLE_ACTION"}
        if flaw["code"] == "CX105":
            targets = [t for k, _kind, t in calls_of(script) if k == flaw["node"]]
            assert targets and not dev.exists(targets[0])
    graph = {p: [t for _k, _kind, t in calls_of(_script(dev, p))] for p in dev.paths()}
    cycles = [f for f in FLAWS if f["code"] == "CX101"]
    assert cycles
    for flaw in cycles:
        start, seen, stack = flaw["flow"], set(), list(graph[flaw["flow"]])
        while stack:
            node = stack.pop()
            if node not in seen and dev.exists(node):
                seen.add(node)
                stack.extend(graph[node])
        assert start in seen  # the flow calls itself through another script
