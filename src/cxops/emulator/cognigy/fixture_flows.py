"""One generated flow: a realistic chart (greeting, intent lookup, question with re-prompt,
code, HTTP request, lexicon update, calls to other flows) plus its intents.

Everything is derived from ``(seed, project key, flow index)`` so a flow comes out the same in
every tenant that holds it; ``version`` 1 is the older wording prod still runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from cxops.emulator.cognigy.chart import Chart, Ids

TOPICS = (
    "order status",
    "billing question",
    "reset password",
    "opening hours",
    "cancel contract",
    "change address",
    "speak to agent",
    "track parcel",
    "book appointment",
    "report outage",
    "update payment",
    "store locator",
)
_ASKS = ("I want to know about {t}", "{t} please", "can you help me with {t}", "question on {t}")


@dataclass
class FlowSpec:
    """What to generate; ``targets`` are flow referenceIds this flow executes."""

    pkey: str
    index: int
    name: str
    locale: str
    version: int = 2
    targets: list[str] = field(default_factory=list)
    goto_targets: list[tuple[str, str]] = field(default_factory=list)  # (flow ref, node ref)
    intents: int = 0
    lexicon_ref: str | None = None
    connection_ref: str | None = None
    size: int = 12  # nodes wanted (at least the skeleton's)


def flow_key(pkey: str, index: int) -> str:
    return f"{pkey}/flow/{index}"


def flow_ref(ids: Ids, pkey: str, index: int) -> str:
    return ids.ref(flow_key(pkey, index))


def intent_names(seed: int, pkey: str, index: int, count: int) -> list[str]:
    rng = random.Random(f"{seed}/{pkey}/{index}/intents")
    return [t.title().replace(" ", "") for t in rng.sample(TOPICS, count)]


def reply_text(intent: str, version: int) -> str:
    """The bot's answer to an intent; the wording changed between version 1 and 2."""
    words = intent
    return f"Sure, I can help with {words}." if version >= 2 else f"OK, {words}."


def build_flow(ids: Ids, spec: FlowSpec, created: int, user: str) -> dict[str, Any]:
    """A flow document: index fields, ``chart`` and ``intents``."""
    key = flow_key(spec.pkey, spec.index)
    rng = random.Random(f"{ids.seed}/{key}")
    chart = Chart(ids, key, spec.locale)
    greeting = f"Welcome to {spec.name}!" if spec.version >= 2 else f"Hello, this is {spec.name}."
    main = [chart.add("start", "Start"), _say(chart, "Greeting", greeting)]
    names = intent_names(ids.seed, spec.pkey, spec.index, spec.intents) if spec.intents else []
    if names:
        main.append(_lookup(chart, names, spec))
    main.extend(_question_with_reprompt(chart))
    for target in spec.targets:
        main.append(
            chart.add(
                "executeFlow",
                "Execute Flow",
                {
                    "flowNode": {"flow": target, "node": ""},
                    "parseIntents": True,
                    "parseKeyphrases": True,
                    "absorbContext": False,
                },
            )
        )
    main.append(chart.add("code", "Normalize input", {"code": "input.text = input.text.trim();"}))
    if spec.connection_ref:
        main.append(_http(chart, spec.connection_ref))
    if spec.lexicon_ref:
        main.append(
            chart.add(
                "addLexiconKeyphrase",
                "Learn keyphrase",
                {
                    "lexiconId": spec.lexicon_ref,
                    "keyphrase": "{{input.text}}",
                    "slots": ["topic"],
                    "synonyms": [],
                },
            )
        )
    filler = 0
    while len(chart.nodes) + 1 + (1 if spec.goto_targets else 0) < spec.size:
        main.append(_filler(chart, rng, filler))
        filler += 1
    for flow, node in spec.goto_targets:
        main.append(_goto(chart, flow, node, "Hand over"))
    if not spec.goto_targets:
        main.append(chart.add("end", "End"))
    chart.chain(*main)
    return flow_document(ids, key, spec, chart, names, created, user)


def flow_document(
    ids: Ids,
    key: str,
    spec: FlowSpec,
    chart: Chart,
    names: list[str],
    created: int,
    user: str,
) -> dict[str, Any]:
    """Index fields (IFlowIndexItem_2_0 / IFlow_2_0) around a built chart."""
    return {
        "_id": ids.oid(key),
        "referenceId": ids.ref(key),
        "name": spec.name,
        "description": f"{spec.name} (generated fixture)",
        "isTrainingOutOfDate": False,
        "createdAt": created,
        "lastChanged": created + spec.index * 60_000,
        "createdBy": user,
        "lastChangedBy": user,
        "localeReference": spec.locale,
        "attachedLexicons": [],
        "attachedFlows": [],
        "chart": chart.to_dict(),
        "intents": [_intent(ids, key, n, i, spec, user) for i, n in enumerate(names)],
    }


def _say(chart: Chart, label: str, text: str) -> str:
    return chart.add("say", label, {"say": {"type": "text", "text": [text], "data": {}}})


def _goto(chart: Chart, flow: str, node: str, label: str) -> str:
    return chart.add(
        "goTo",
        label,
        {
            "flowNode": {"flow": flow, "node": node},
            "absorbContext": False,
            "executionMode": "continue",
            "injectedText": "",
            "injectedData": "{}",
            "parseIntents": False,
            "parseKeyphrases": False,
        },
    )


def _lookup(chart: Chart, names: list[str], spec: FlowSpec) -> str:
    switch = chart.add("switch", "Route by intent", {"switch": "intent"})
    for name in names:
        case = chart.add("case", name, {"case": {"value": name}})
        chart.children(switch, case)
        chart.chain(case, _say(chart, f"Answer {name}", reply_text(name, spec.version)))
    default = chart.add("default", "Default")
    chart.children(switch, default)
    chart.chain(default, _say(chart, "Fallback", "Sorry, I did not get that."))
    return switch


def _question_with_reprompt(chart: Chart) -> list[str]:
    """A question and an if: a wrong answer jumps back (a loop that can be left)."""
    question = chart.add(
        "question",
        "Ask reference",
        {
            "type": "text",
            "say": {"type": "text", "text": ["What is your reference number?"], "data": {}},
            "repromptType": "text",
            "repromptSay": {"type": "text", "text": ["Please repeat."], "data": {}},
            "storeResultInContext": True,
            "contextKey": "reference",
        },
    )
    check = chart.add(
        "if",
        "Valid reference?",
        {
            "condition": {
                "type": "rule",
                "condition": "",
                "rule": {"left": "{{context.reference}}", "operand": "isNotEmpty", "right": ""},
            }
        },
    )
    then, orelse = chart.add("then", "Then"), chart.add("else", "Else")
    chart.children(check, then, orelse)
    chart.chain(then, _say(chart, "Confirm", "Thanks, got it."))
    own = chart.key
    retry = _goto(chart, chart.ids.ref(own), chart.ref(question), "Ask again")
    chart.chain(orelse, _say(chart, "Invalid", "That did not look right."), retry)
    return [question, check]


def _http(chart: Chart, connection_ref: str) -> str:
    return chart.add(
        "httpRequest",
        "Call backend",
        {
            "type": "GET",
            "url": "https://api.example.com/v1/lookup",
            "headers": "{}",
            "payloadType": "json",
            "payloadJSON": "{}",
            "storeLocation": "context",
            "contextKey": "backend",
            "authType": "basic",
            "basicConnection": connection_ref,
        },
    )


def _filler(chart: Chart, rng: random.Random, n: int) -> str:
    kind = rng.choice(("say", "addToContext", "sleep", "say"))
    if kind == "say":
        return _say(chart, f"Info {n}", f"Here is some information ({n}).")
    if kind == "sleep":
        return chart.add("sleep", f"Pause {n}", {"milliseconds": 200 + 100 * (n % 5)})
    return chart.add(
        "addToContext", f"Remember {n}", {"key": f"step{n}", "value": "1", "mode": "simple"}
    )


def _intent(ids: Ids, key: str, name: str, i: int, spec: FlowSpec, user: str) -> dict[str, Any]:
    topic = " ".join(w.lower() for w in _split_camel(name))
    return {
        "_id": ids.oid(key, "intent", i),
        "referenceId": ids.ref(key, "intent", i),
        "name": name,
        "description": f"User asks about {topic}",
        "tags": [],
        "isRejectIntent": False,
        "isDisabled": False,
        "localeReference": spec.locale,
        "parentIntentId": "",
        "createdBy": user,
        "sentences": [
            {"_id": ids.oid(key, "intent", i, "s", j), "text": ask.format(t=topic), "slots": []}
            for j, ask in enumerate(_ASKS)
        ],
    }


def _split_camel(name: str) -> list[str]:
    words, cur = [], ""
    for ch in name:
        if ch.isupper() and cur:
            words.append(cur)
            cur = ""
        cur += ch
    return [*words, cur] if cur else words
