"""Dev projects with deliberate flaws, and ``flaws(seed)``: where each one is.

Each "Flawed - …" project is a clean generated project plus one kind of flaw, so an analysis
finds exactly the flaws listed and nothing else:

- CX101 flows that execute each other in a cycle (Cycle A → B → C → A);
- CX109 a transition loop with no way out (question → say → go to question, no exit, no end);
- CX104 nodes no path from the start reaches (a detached chain left in the chart);
- CX105 references to a deleted lexicon and to a deleted flow;
- CX102 a flow of more than 500 nodes.
"""

from __future__ import annotations

from typing import Any

from cxops.emulator.cognigy.chart import Chart, Ids
from cxops.emulator.cognigy.fixture_flows import (
    FlowSpec,
    _goto,
    _say,
    flow_document,
    flow_key,
    flow_ref,
)
from cxops.emulator.cognigy.fixture_projects import Built, ProjectSpec, build_project

FLAWED_SIZE = 5  # flows per flawed project
OVERSIZED_NODES = 540


def _spec(pkey: str, index: int, name: str, **kw: Any) -> FlowSpec:
    kw.setdefault("locale", "")
    return FlowSpec(pkey=pkey, index=index, name=name, **kw)


def flawed_projects(ids: Ids, user: str) -> tuple[list[Built], list[dict[str, Any]]]:
    """The flawed dev projects and the list of their flaws (the ``FLAWS`` rows)."""
    built: list[Built] = []
    flaws: list[dict[str, Any]] = []
    for make in (_cycle, _dead_loop, _unreachable, _missing, _oversized):
        project, rows = make(ids, user)
        built.append(project)
        flaws.extend(rows)
    return built, flaws


def _row(ids: Ids, pkey: str, index: int, node: str | None, code: str, what: str) -> dict[str, Any]:
    return {
        "vendor": "cognigy",
        "tenant": ids.tenant,
        "project": ids.oid(pkey, "project"),
        "flow": ids.oid(flow_key(pkey, index)),
        "node": node,
        "code": code,
        "what": what,
    }


def _locale(ids: Ids, pkey: str, specs: dict[int, FlowSpec]) -> dict[int, FlowSpec]:
    for spec in specs.values():
        spec.locale = ids.oid(pkey, "locale")
    return specs


def _cycle(ids: Ids, user: str) -> tuple[Built, list[dict[str, Any]]]:
    k = "flawed-cycle"

    def ref(i: int) -> str:
        return flow_ref(ids, k, i)

    specs = {
        0: _spec(k, 0, "Main", targets=[ref(1), ref(4)], intents=2),
        1: _spec(k, 1, "Cycle A", targets=[ref(2)]),
        2: _spec(k, 2, "Cycle B", targets=[ref(3)]),
        3: _spec(k, 3, "Cycle C", targets=[ref(1)]),
    }
    ps = ProjectSpec(k, "Flawed - Flow Cycle", FLAWED_SIZE, specs=_locale(ids, k, specs))
    what = "Flows 'Cycle A' → 'Cycle B' → 'Cycle C' → 'Cycle A' execute each other in a cycle"
    return build_project(ids, ps, user), [_row(ids, k, 1, None, "CX101", what)]


def _dead_loop(ids: Ids, user: str) -> tuple[Built, list[dict[str, Any]]]:
    k = "flawed-loop"
    ps = ProjectSpec(k, "Flawed - Dead Loop", FLAWED_SIZE)
    built = build_project(ids, ps, user)
    key = flow_key(k, 2)
    chart = Chart(ids, key, ids.oid(k, "locale"))
    start = chart.add("start", "Start")
    intro = _say(chart, "Survey intro", "Let us do a quick survey.")
    question = chart.add(
        "question",
        "Rate us",
        {
            "type": "number",
            "say": {"type": "text", "text": ["Rate us 1 to 5"], "data": {}},
            "storeResultInContext": True,
            "contextKey": "rating",
        },
    )
    thanks = _say(chart, "Thanks", "Thanks! One more question.")
    again = _goto(chart, ids.ref(key), chart.ref(question), "Next question")
    chart.chain(start, intro, question, thanks, again)
    spec = _spec(k, 2, "Endless Survey", locale=ids.oid(k, "locale"))
    doc = flow_document(ids, key, spec, chart, [], built.project["createdAt"], user)
    built.content["flows"][doc["_id"]] = doc
    what = "'Endless Survey' loops question → say → go to question with no exit and no end node"
    return built, [_row(ids, k, 2, question, "CX109", what)]


def _unreachable(ids: Ids, user: str) -> tuple[Built, list[dict[str, Any]]]:
    k = "flawed-unreachable"
    built = build_project(ids, ProjectSpec(k, "Flawed - Unreachable Nodes", FLAWED_SIZE), user)
    flow = built.content["flows"][ids.oid(flow_key(k, 3))]
    orphans = Chart(ids, flow_key(k, 3) + "/orphans", flow["localeReference"])
    head = _say(orphans, "Old menu", "Press 1 for sales, 2 for support.")
    chart_links = [
        head,
        _say(orphans, "Old menu 2", "Press 9 to repeat."),
        orphans.add("end", "End"),
    ]
    orphans.chain(*chart_links)
    part = orphans.to_dict()
    flow["chart"]["nodes"].extend(part["nodes"])
    flow["chart"]["relations"].extend(part["relations"])
    what = f"3 nodes of '{flow['name']}' (Old menu …) cannot be reached from the start node"
    return built, [_row(ids, k, 3, head, "CX104", what)]


def _missing(ids: Ids, user: str) -> tuple[Built, list[dict[str, Any]]]:
    k = "flawed-missing"
    deleted_lexicon = ids.ref(k, "lexicon", 9)
    deleted_flow = ids.ref(flow_key(k, 99))
    specs = {
        1: _spec(k, 1, "Promotions", lexicon_ref=deleted_lexicon, size=10),
        2: _spec(k, 2, "Returns", targets=[deleted_flow], size=10),
    }
    ps = ProjectSpec(k, "Flawed - Missing References", FLAWED_SIZE, specs=_locale(ids, k, specs))
    built = build_project(ids, ps, user)

    def node_of(index: int, type_: str) -> str:
        flow = built.content["flows"][ids.oid(flow_key(k, index))]
        return str(next(n["_id"] for n in flow["chart"]["nodes"] if n["type"] == type_))

    return built, [
        _row(
            ids,
            k,
            1,
            node_of(1, "addLexiconKeyphrase"),
            "CX105",
            "'Promotions' adds a keyphrase to a lexicon that was deleted",
        ),
        _row(
            ids,
            k,
            2,
            node_of(2, "executeFlow"),
            "CX105",
            "'Returns' executes a flow that was deleted",
        ),
    ]


def _oversized(ids: Ids, user: str) -> tuple[Built, list[dict[str, Any]]]:
    k = "flawed-oversized"
    specs = {1: _spec(k, 1, "Everything Bot", size=OVERSIZED_NODES)}
    ps = ProjectSpec(k, "Flawed - Oversized Flow", FLAWED_SIZE, specs=_locale(ids, k, specs))
    what = f"'Everything Bot' has {OVERSIZED_NODES} nodes (more than 500)"
    return build_project(ids, ps, user), [_row(ids, k, 1, None, "CX102", what)]
