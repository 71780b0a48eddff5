"""vendor → bundle → vendor is lossless for each converter, on generated native documents."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.model.bundle import Bundle
from cxops.model.native import cognigy, cxone
from tests.model.strategies import SLOW_OK, json_values

EXTRA = st.dictionaries(
    st.sampled_from(["x", "meta", "extension", "comment"]), json_values(floats=False), max_size=2
)
IDS = st.lists(
    st.text("0123456789abcdef", min_size=4, max_size=8), min_size=1, max_size=8, unique=True
)


def _through_disk(bundle: Bundle) -> Bundle:
    """A bundle as cxops writes and reads it (JSON text, re-validated)."""
    return Bundle.model_validate(json.loads(json.dumps(bundle.document())))


@st.composite
def cognigy_project(draw: st.DrawFn) -> dict[str, Any]:
    flows = []
    lexicons = [
        {"_id": f"lx{i}", "referenceId": f"lexref{i}", "name": f"L{i}"}
        for i in range(draw(st.integers(0, 2)))
    ]
    for f in range(draw(st.integers(0, 3))):
        oids = draw(IDS)
        refs = [draw(st.sampled_from([f"ref-{o}", None])) for o in oids]
        nodes = []
        for oid, ref in zip(oids, refs, strict=True):
            kind = draw(
                st.sampled_from(
                    [
                        "start",
                        "say",
                        "if",
                        "switch",
                        "case",
                        "goTo",
                        "executeFlow",
                        "addLexiconKeyphrase",
                        "httpRequest",
                        "end",
                    ]
                )
            )
            config = draw(
                st.sampled_from(
                    [
                        {},
                        {
                            "flowNode": {
                                "flow": f"flowref{f}",
                                "node": draw(st.sampled_from(["", *[r or "" for r in refs]])),
                            }
                        },
                        {"flowNode": {"flow": "elsewhere", "node": ""}},
                        {"lexiconId": "lexref0"},
                        {"authType": "basic", "basicConnection": "conn"},
                        {"switch": "intent"},
                        {"case": {"value": "Greet"}},
                    ]
                )
            )
            node = {
                "_id": oid,
                "type": kind,
                "label": draw(st.none() | st.text(max_size=5)),
                "config": config,
                **draw(EXTRA),
            }
            if ref is not None:
                node["referenceId"] = ref
            nodes.append(node)
        relations = []
        for oid in draw(st.permutations(oids)):
            rel = {
                "_id": f"rel-{oid}",
                "node": oid,
                "children": draw(st.lists(st.sampled_from([*oids, "dangling"]), max_size=3)),
                "next": draw(st.none() | st.sampled_from([*oids, "dangling"])),
            }
            relations.append(rel)
        if draw(st.booleans()):
            relations.append(
                {"_id": "orphan", "node": "no-such-node", "children": [], "next": None}
            )
        flows.append(
            {
                "_id": f"flow{f}",
                "referenceId": f"flowref{f}",
                "name": f"Flow {f}",
                "attachedLexicons": draw(st.lists(st.sampled_from(["lx0", "gone"]), max_size=2)),
                "chart": {"_id": f"chart{f}", "nodes": nodes, "relations": relations},
                "intents": [{"name": "Greet"}],
                **draw(EXTRA),
            }
        )
    return {
        "project": {"_id": "p1", "name": "P", **draw(EXTRA)},
        "flows": flows,
        "lexicons": lexicons,
        "connections": [{"_id": "c1", "referenceId": "conn", "name": "C"}],
        **draw(EXTRA),
    }


@given(cognigy_project())
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
def test_cognigy_round_trip(native: dict[str, Any]) -> None:
    """Charts, relations (order, orphans, dangling targets) and extras come back unchanged."""
    bundle = cognigy.to_bundle(native, tenant="dev")
    assert cognigy.to_native(bundle) == native
    assert cognigy.to_native(_through_disk(bundle)) == native


@st.composite
def cxone_scripts(draw: st.DrawFn) -> dict[str, Any]:
    scripts = []
    for s in range(draw(st.integers(0, 3))):
        keys = [
            str(k) for k in draw(st.lists(st.integers(1, 30), min_size=1, max_size=6, unique=True))
        ]
        actions = {
            k: {
                "actionId": int(k),
                "name": draw(
                    st.sampled_from(
                        ["BEGIN", "MENU", "PLAY", "RUNSUB", "SPAWN", "RUNSCRIPT", "HANGUP", "IF"]
                    )
                ),
                "label": draw(st.text(max_size=4)),
                **draw(EXTRA),
            }
            for k in keys
        }
        owners = draw(st.lists(st.sampled_from([*keys, "99"]), max_size=6, unique=True))
        props = {
            k: {
                "0": {
                    "name": "ScriptName",
                    "value": draw(st.sampled_from(["Main\\A", "main/a", "Common\\Gone"])),
                }
            }
            for k in owners
        }
        branches = {
            k: [
                {
                    "to": draw(st.sampled_from([int(x) for x in keys] + [99, "3"])),
                    "label": draw(st.sampled_from(["", "1", "OnTimeout", 0])),
                    "type": draw(st.sampled_from(["default", "branch"])),
                    "index": i,
                }
                for i in range(draw(st.integers(0, 3)))
            ]
            for k in draw(st.lists(st.sampled_from([*keys, "77"]), max_size=6, unique=True))
        }
        script: dict[str, Any] = {
            "header": {
                "scriptName": f"Main\\{'A' if s == 0 else s}",
                "masterId": draw(st.none() | st.integers(1, 9)),
                **draw(EXTRA),
            },
            "actions": actions,
        }
        if draw(st.booleans()):
            script["properties"] = props
        if draw(st.booleans()):
            script["branches"] = branches
        scripts.append(script)
    return {"scripts": scripts, **draw(EXTRA)}


@given(cxone_scripts())
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
def test_cxone_round_trip(native: dict[str, Any]) -> None:
    """Actions, properties, branches (and missing or orphan entries) come back unchanged."""
    bundle = cxone.to_bundle(native, tenant="dev")
    assert cxone.to_native(bundle) == native
    assert cxone.to_native(_through_disk(bundle)) == native
