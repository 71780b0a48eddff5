"""Architect flow documents ⇄ bundle: lossless, actions as nodes, and unreadable parts reported
as problems naming the flow and the JSON pointer while the rest converts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.analysis.checks import run_checks
from cxops.analysis.index import BundleIndex
from cxops.model.bundle import Bundle
from cxops.model.native import genesys
from tests.model.strategies import SLOW_OK, json_values

EXTRA = st.dictionaries(
    st.sampled_from(["x", "meta", "settingsErrorHandling", "comment"]),
    json_values(floats=False),
    max_size=2,
)
MANIFEST = {
    "queue": [{"id": "q1", "name": "Billing"}],
    "dataAction": [{"id": "d1", "name": "Lookup"}],
    "commonModule": [{"id": "flow-0", "name": "F0"}],
    "userPrompt": [{"id": "p1", "name": "welcome"}],
}


def _through_disk(bundle: Bundle) -> Bundle:
    return Bundle.model_validate(json.loads(json.dumps(bundle.document())))


def _typed(rid: str) -> dict[str, Any]:
    return {"config": {"lit": {"text": rid, "val": rid}}, "text": rid, "type": "que"}


@st.composite
def action(draw: st.DrawFn, aid: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "__type": draw(st.sampled_from(["PlayAudioAction", "CallDataAction", "MysteryAction"])),
        "id": aid,
        "name": draw(st.text(max_size=3)),
        "trackingId": draw(st.integers(0, 99)),
        **draw(EXTRA),
    }
    for key in draw(st.lists(st.sampled_from(["queue", "dataAction", "commonModule"]))):
        out[key] = _typed(draw(st.sampled_from(["q1", "d1", "flow-0", "zz"])))
    if draw(st.booleans()):
        out["prompts"] = {
            "defaultAudio": {"config": {}, "text": "ToAudioPrompt(Prompt.welcome)", "type": "aud"}
        }
    return out


@st.composite
def document(draw: st.DrawFn, f: int) -> dict[str, Any]:
    counter = iter(range(1000))
    items: list[dict[str, Any]] = []
    flat: list[dict[str, Any]] = []
    ids: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        iid = f"s{next(counter)}"
        kind = draw(st.sampled_from(["State", "Task", "Menu", "Oddity"]))
        acts = [draw(action(f"a{next(counter)}")) for _ in range(draw(st.integers(0, 3)))]
        ids += [iid] + [a["id"] for a in acts]
        item: dict[str, Any] = {"__type": kind, "id": iid, "name": "I", **draw(EXTRA)}
        if kind == "Menu":
            item["menuChoiceList"] = [
                {"id": f"c{i}", "name": "C", "digit": str(i), "action": a}
                for i, a in enumerate(acts)
            ]
        elif draw(st.booleans()):
            item["actionList"] = acts
        else:  # some documents list actions flat, beside the sequence items
            flat += acts
        if acts and kind != "Menu":
            item["startAction"] = acts[0]["id"]
        items.append(item)
    for act in [*flat, *(a for i in items for a in i.get("actionList", []))]:
        act["paths"] = [
            {
                "label": draw(st.sampled_from(["Default", "Yes", "Failure"])),
                "outputId": draw(st.sampled_from(["__DEFAULT__", "__YES__"])),
                **draw(st.sampled_from([{}, *({"nextActionId": t} for t in [*ids, "ghost"])])),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
    doc: dict[str, Any] = {
        "name": f"F{f}",
        "type": "inboundcall",
        "initialSequence": items[0]["id"] if items else "none",
        "manifest": MANIFEST,
        "flowSequenceItemList": items,
        **draw(EXTRA),
    }
    if flat or draw(st.booleans()):
        doc["flowActionItemList"] = flat
    return doc


@st.composite
def division(draw: st.DrawFn) -> dict[str, Any]:
    flows = []
    for f in range(draw(st.integers(0, 3))):
        config = draw(
            document(f) | st.sampled_from([{"name": "broken"}, [], {"flowSequenceItemList": [7]}])
        )
        flows.append(
            {
                "flow": {"id": f"flow-{f}", "name": f"F{f}", "type": "INBOUNDCALL"},
                "version": "2.0",
                "configuration": config,
                "versions": [{"id": "1.0"}, {"id": "2.0"}],
                "consumed": [
                    {"id": "q1", "type": "QUEUE", "name": "Q", "deleted": draw(st.booleans())}
                ],
            }
        )
    return {"division": {"id": "d1", "name": "Home"}, "flows": flows, **draw(EXTRA)}


@given(division())
@settings(max_examples=80, deadline=None, suppress_health_check=SLOW_OK)
def test_genesys_round_trip(native: dict[str, Any]) -> None:
    """Items, actions (nested, listed or flat), paths, typed values, broken documents and
    dependency objects come back unchanged, through disk too."""
    bundle = genesys.to_bundle(native, tenant="dev")
    assert genesys.to_native(bundle) == native
    assert genesys.to_native(_through_disk(bundle)) == native


def _doc(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "Main",
        "type": "inboundcall",
        "initialSequence": "t1",
        "manifest": MANIFEST,
        "flowSequenceItemList": [
            {
                "__type": "Task",
                "id": "t1",
                "name": "Start",
                "startAction": "a1",
                "actionList": [
                    {
                        "__type": "CallDataAction",
                        "id": "a1",
                        "name": "Lookup",
                        "dataAction": _typed("d1"),
                        "paths": [
                            {"label": "Success", "outputId": "__SUCCESS__", "nextActionId": "a2"},
                            {"label": "Failure", "outputId": "__FAILURE__"},
                        ],
                    },
                    {
                        "__type": "JumpToMenuAction",
                        "id": "a2",
                        "name": "To menu",
                        "menuReference": "m1",
                    },
                ],
            },
            {
                "__type": "Menu",
                "id": "m1",
                "name": "Main Menu",
                "prompts": {
                    "defaultAudio": {"config": {}, "text": "ToAudioPrompt(Prompt.welcome)"}
                },
                "menuChoiceList": [
                    {
                        "id": "c1",
                        "name": "Billing",
                        "digit": "1",
                        "action": {
                            "__type": "TransferToAcdAction",
                            "id": "a3",
                            "name": "Q",
                            "queue": _typed("q1"),
                        },
                    }
                ],
            },
        ],
    }
    doc.update(over)
    return doc


def _native(*configs: Any) -> dict[str, Any]:
    return {
        "division": {"id": "d1", "name": "Home"},
        "flows": [
            {"flow": {"id": f"f{i}", "name": f"F{i}"}, "version": "1.0", "configuration": c}
            for i, c in enumerate(configs)
        ],
    }


def test_items_and_actions_are_nodes_with_edges_refs_and_entry() -> None:
    """startAction, paths (labels as conditions), a jump, a menu choice and the typed-value
    references all come out of a real document."""
    flow = genesys.to_bundle(_native(_doc()), tenant="dev").flows[0]
    assert {n.id: n.type for n in flow.nodes} == {
        "t1": "sequence:Task",
        "m1": "sequence:Menu",
        "a1": "CallDataAction",
        "a2": "JumpToMenuAction",
        "a3": "TransferToAcdAction",
    }
    edges = {(e.source, e.target, e.kind, e.condition) for e in flow.edges}
    assert edges == {
        ("t1", "a1", "next", None),
        ("a1", "a2", "branch", "Success"),
        ("a2", "m1", "next", None),
        ("m1", "a3", "branch", "digit:1"),
    }
    assert flow.entry == ["t1"]
    nodes = {n.id: n for n in flow.nodes}
    assert nodes["a1"].terminal  # its Failure path has no nextActionId: that branch ends
    assert not nodes["a2"].terminal
    assert [(r.kind, r.id, r.name) for r in nodes["a1"].refs] == [("data_action", "d1", "Lookup")]
    assert [(r.kind, r.id) for r in nodes["a3"].refs] == [("queue", "q1")]
    assert [(r.kind, r.id, r.name) for r in nodes["m1"].refs] == [("prompt", "p1", "welcome")]
    assert "_problems" not in flow.properties


def _problems(bundle: Bundle) -> list[str]:
    index = BundleIndex()
    index.add_bundle(bundle.document())
    return [f.message for f in run_checks(index) if f.code in ("CX100", "CX103")]


def test_unknown_types_and_missing_targets_are_findings_and_the_rest_converts() -> None:
    """An unknown action type, an unknown item __type and a nextActionId naming nothing each
    give a finding naming the flow (and pointer); the other flow of the export is intact."""
    odd = _doc()
    odd["flowSequenceItemList"][0]["actionList"][0]["__type"] = "TeleportAction"
    odd["flowSequenceItemList"][0]["actionList"][0]["paths"][0]["nextActionId"] = "nowhere"
    odd["flowSequenceItemList"][1]["__type"] = "Labyrinth"
    bundle = genesys.to_bundle(_native(odd, _doc()), tenant="dev")
    messages = _problems(bundle)
    assert any(
        "flow 'Main'" in m
        and "unknown action type 'TeleportAction'" in m
        and "/flowSequenceItemList/0/actionList/0" in m
        for m in messages
    ), messages
    assert any("unknown sequence item type 'Labyrinth'" in m for m in messages), messages
    assert any("'nowhere'" in m for m in messages), messages
    good = next(f for f in bundle.flows if f.id == "f1")
    assert len(good.nodes) == 5 and "_problems" not in good.properties
    assert genesys.to_native(bundle) == _native(odd, _doc())


def test_an_unreadable_document_is_a_finding_not_a_crash() -> None:
    """No item list, an action without an id, a duplicate id: the flow is kept verbatim with
    no nodes and a CX100 naming flow and pointer; the next flow still converts."""
    no_id = _doc()
    del no_id["flowSequenceItemList"][1]["menuChoiceList"][0]["action"]["id"]
    twice = _doc()
    twice["flowSequenceItemList"][1]["menuChoiceList"][0]["action"]["id"] = "a1"
    cases = [
        ({"name": "Main", "states": []}, "/flowSequenceItemList"),
        (no_id, "/flowSequenceItemList/1/menuChoiceList/0/action"),
        (twice, "/flowSequenceItemList/1/menuChoiceList/0/action"),
    ]
    for config, pointer in cases:
        native = _native(config, _doc())
        bundle = genesys.to_bundle(native, tenant="dev")
        broken = next(f for f in bundle.flows if f.id == "f0")
        assert broken.nodes == []
        messages = _problems(bundle)
        assert any("cannot read the flow document" in m and pointer in m for m in messages), (
            pointer,
            messages,
        )
        assert len(next(f for f in bundle.flows if f.id == "f1").nodes) == 5
        assert genesys.to_native(bundle) == native


def test_only_what_dependency_tracking_answers_for_becomes_a_ref() -> None:
    """A manifest key dependency tracking has no type for (ttsVoice) makes no ref (it would be a
    CX105 on every flow); schedules do, with the kind resources of SCHEDULE have."""
    doc = _doc(
        manifest={
            **MANIFEST,
            "ttsVoice": [{"id": "genesys/Jill", "name": "Jill"}],
            "schedule": [{"id": "s9", "name": "Office Hours"}],
        }
    )
    act = doc["flowSequenceItemList"][0]["actionList"][0]
    act["voice"] = {"config": {"lit": {"val": "genesys/Jill"}}, "text": "Jill", "type": "tts"}
    act["schedule"] = {"config": {"lit": {"val": "s9", "text": "Office Hours"}}, "type": "sch"}
    flow = genesys.to_bundle(_native(doc), tenant="dev").flows[0]
    refs = {(r.kind, r.id) for n in flow.nodes if n.id == "a1" for r in n.refs}
    assert refs == {("data_action", "d1"), ("schedule", "s9")}
    assert genesys.ref_kind("SCHEDULE") == "schedule"
