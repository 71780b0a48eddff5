"""One generated project: flows that execute each other (acyclic), lexicons, a connection, an
endpoint, a simulation and a playbook whose expectations are taken from the flows themselves.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from cxops.emulator.cognigy.chart import Ids
from cxops.emulator.cognigy.fixture_flows import (
    TOPICS,
    FlowSpec,
    build_flow,
    flow_key,
    flow_ref,
    reply_text,
)
from cxops.emulator.cognigy.model import empty_content

BASE_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z: fixture timestamps start here


@dataclass
class ProjectSpec:
    """A project to generate; ``version`` 1 is the older state prod holds."""

    key: str
    name: str
    flows: int
    version: int = 2
    drop_last: bool = False  # the newest flow (executed by nobody) is not there yet
    specs: dict[int, FlowSpec] = field(default_factory=dict)  # overrides by flow index


@dataclass
class Built:
    project: dict[str, Any]
    content: dict[str, dict[str, dict[str, Any]]]
    endpoints: list[dict[str, Any]]
    simulation: dict[str, Any]
    playbook: dict[str, Any]


def flow_names(key: str, count: int) -> list[str]:
    rng = random.Random(f"names/{key}")
    names = ["Main"]
    pool = [t.title() for t in TOPICS] + [f"{t.title()} Details" for t in TOPICS]
    pool += [f"{t.title()} Follow-up" for t in TOPICS] + [f"{t.title()} Escalation" for t in TOPICS]
    rng.shuffle(pool)
    names += pool[: count - 2]
    names.append("What's New")
    return names[:count]


def default_spec(ids: Ids, ps: ProjectSpec, index: int, name: str, locale: str) -> FlowSpec:
    """Flow ``index`` executes up to two later flows, never the newest one: no cycles."""
    rng = random.Random(f"{ids.seed}/{ps.key}/{index}/shape")
    later = list(range(index + 1, ps.flows - 1))
    fan = 3 if index == 0 else 2
    targets = sorted(rng.sample(later, min(len(later), rng.randint(1, fan)))) if later else []
    if index != 0 and rng.random() < 0.35:
        targets = []
    return FlowSpec(
        pkey=ps.key,
        index=index,
        name=name,
        locale=locale,
        version=ps.version,
        targets=[flow_ref(ids, ps.key, t) for t in targets],
        intents=4 if index == 0 else (2 if index % 4 == 1 else 0),
        lexicon_ref=ids.ref(ps.key, "lexicon", 0) if index % 3 == 0 else None,
        connection_ref=ids.ref(ps.key, "connection", 0) if index % 2 == 0 else None,
        size=rng.randint(10, 40),
    )


def build_project(ids: Ids, ps: ProjectSpec, user: str) -> Built:
    """Generate the whole project ``ps`` for the tenant behind ``ids``."""
    pid = ids.oid(ps.key, "project")
    locale = ids.oid(ps.key, "locale")
    created = BASE_MS + (sum(map(ord, ps.key)) % 97) * 86_400_000
    project = {
        "_id": pid,
        "name": ps.name,
        "color": "blue",
        "primaryLocaleReference": locale,
        "createdAt": created,
        "lastChanged": created + 3_600_000 * ps.version,
        "createdBy": user,
        "lastChangedBy": user,
        "liveAgentDefaultInbox": 0,
    }
    content = empty_content()
    for i in range(2):
        lex = _meta(ids, f"{ps.key}/lexicon/{i}", ("Products", "Locations")[i], created, user)
        lex["description"] = "Keyphrases the bot recognizes"
        lex["keyphrases"] = _keyphrases(ids, f"{ps.key}/lexicon/{i}", lex, ps.version)
        content["lexicons"][lex["_id"]] = lex
    conn = _meta(ids, f"{ps.key}/connection/0", "Backend API", created, user)
    conn.update(
        isDeprecated=False,
        extension="@cognigy/basic-nodes",
        type="http_basic_auth",
        fields={"username": "bot", "password": "********"},
    )
    content["connections"][conn["_id"]] = conn
    names = flow_names(ps.key, ps.flows)
    count = ps.flows - 1 if ps.drop_last else ps.flows
    for index in range(count):
        spec = ps.specs.get(index) or default_spec(ids, ps, index, names[index], locale)
        flow = build_flow(ids, spec, created, user)
        if index == 0:
            flow["attachedLexicons"] = [ids.oid(f"{ps.key}/lexicon/0")]
        content["flows"][flow["_id"]] = flow
    main = content["flows"][ids.oid(flow_key(ps.key, 0))]
    endpoint = _endpoint(ids, ps, pid, main, locale, created, user)
    return Built(
        project,
        content,
        [endpoint],
        _simulation(ids, ps, pid, main),
        _playbook(ids, ps, pid, main, created, user),
    )


def _keyphrases(ids: Ids, key: str, lex: dict[str, Any], version: int) -> list[dict[str, Any]]:
    """``ILexiconKeyphraseIndexItem_2_0`` rows: one entry per item, its main keyphrase and a
    synonym (version 2 has one entry more: a promotion changes the keyphrases)."""
    rows = []
    for n in range(5 + version):
        entry = ids.oid(key, "entry", n)
        main = f"{lex['name'].lower()} {n}"
        for j, value in enumerate((main, f"{main} please")):
            rows.append(
                {
                    "_id": ids.oid(key, "entry", n, "keyphrase", j),
                    "value": value,
                    "isMainKeyphrase": j == 0,
                    "lexiconEntryReference": entry,
                }
            )
    return rows


def _meta(ids: Ids, key: str, name: str, created: int, user: str) -> dict[str, Any]:
    return {
        "_id": ids.oid(key),
        "referenceId": ids.ref(key),
        "name": name,
        "createdAt": created,
        "lastChanged": created,
        "createdBy": user,
        "lastChangedBy": user,
    }


def _endpoint(
    ids: Ids, ps: ProjectSpec, pid: str, main: dict[str, Any], locale: str, created: int, user: str
) -> dict[str, Any]:
    key = f"{ps.key}/endpoint/0"
    return {
        "_id": ids.oid(key),
        "channel": "webchat3",
        "URLToken": hashlib.sha256(ids.oid(key).encode()).hexdigest(),
        "flowId": main["referenceId"],
        "localeId": locale,
        "name": f"{ps.name} Webchat",
        "entrypoint": pid,
        "active": True,
        "nluConnectorId": "",
        "useConversations": True,
        "maskIPAddress": False,
        "maskAnalytics": False,
        "maskLogging": False,
        "overrideSnapshotConnections": False,
        "createdAt": created,
        "lastChanged": created,
        "createdBy": user,
        "lastChangedBy": user,
        "projectId": pid,
    }


def expected_turns(main: dict[str, Any], version: int) -> list[dict[str, str]]:
    """One turn per intent of the main flow: first sample sentence → intent → its answer."""
    return [
        {
            "input": intent["sentences"][0]["text"],
            "expectedIntent": intent["name"],
            "expectedReply": reply_text(intent["name"], version),
        }
        for intent in main["intents"]
    ]


def _simulation(ids: Ids, ps: ProjectSpec, pid: str, main: dict[str, Any]) -> dict[str, Any]:
    key = f"{ps.key}/simulation/0"
    turns = expected_turns(main, ps.version)
    return {
        "_id": ids.oid(key),
        "name": f"Smoke - {ps.name}",
        "projectReference": pid,
        "persona": "A customer who asks one question at a time.",
        "mission": f"Get an answer from {ps.name}.",
        "maxTurns": max(1, len(turns)),
        "createdAt": "2025-01-01T00:00:00.000Z",
        # Served to nobody: how the emulator judges a run (the LLM's part, made deterministic).
        "flowReferenceId": main["referenceId"],
        "scenarios": [{"name": f"Ask about {t['expectedIntent']}", "turns": [t]} for t in turns],
    }


def _playbook(
    ids: Ids, ps: ProjectSpec, pid: str, main: dict[str, Any], created: int, user: str
) -> dict[str, Any]:
    key = f"{ps.key}/playbook/0"
    steps: list[dict[str, Any]] = []
    for i, turn in enumerate(expected_turns(main, ps.version)):
        steps.append(
            {
                "_id": ids.oid(key, "step", i),
                "text": turn["input"],
                "data": {},
                "asserts": [
                    {
                        "_id": ids.oid(key, "assert", i, 0),
                        "type": "assertIntent",
                        "params": {"intentName": turn["expectedIntent"]},
                    },
                ],
            }
        )
        if ps.version >= 2:  # prod's older playbook checks intents only: wording may move on
            steps[-1]["asserts"].append(
                {
                    "_id": ids.oid(key, "assert", i, 1),
                    "type": "assertText",
                    "params": {"text": turn["expectedReply"]},
                }
            )
    return {
        "_id": ids.oid(key),
        "name": f"Regression - {ps.name}",
        "abortOnError": False,
        "timeout": 10_000,
        "steps": steps,
        "createdAt": created,
        "lastChanged": created,
        "createdBy": user,
        "lastChangedBy": user,
        "projectId": pid,
    }


def content_hash(content: dict[str, Any]) -> str:
    """A stable hash of content (what ``hash`` on snapshots and packages identifies)."""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
