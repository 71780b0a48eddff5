"""Genesys Cloud promotion: import + publish each flow of a division, callees first.

Mechanism (docs/promote/genesys.md): for each flow to promote, an Architect export job gives the
source flow's file at the version the plan exported; an import job checks it in on the target
(Architect binds references by name, so modules must be there first); a publish makes it run.

- :meth:`GenesysStrategy.portable` re-keys what is org-local (flow, division, data action,
  prompt, queue GUIDs) by what both orgs share: ``<FLOW TYPE>/<name>`` for flows,
  ``<DEPENDENCY TYPE>/<name>`` for resources, ``division/<name>``; version bookkeeping (the
  flow entity, version lists, resolved dependency versions) and the resources derived from
  dependency tracking (each flow's ``consumed`` list holds them) are left out.
- Stages: ``import:<TYPE>/<name>`` then ``publish:<TYPE>/<name>`` per flow whose content
  differs on the target (or is missing there), callees before callers.
- Rollback point: each such flow's target id and published version (``None``: not there).
  Restore publishes the recorded version again and deletes flows the promotion created.
- Gates: ``health`` (NLU health of the source bot-flow versions to promote), ``sessions``
  (active flows on the target, analytics observations), ``simulation`` (text-bot
  conversations from the ``genesys:`` section of ``--tests`` on the source).
- Verify: target health of the promoted bot flows and their published versions, the same
  conversations on the target (smoke), and the id map.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from cxops.errors import CxopsError, InputError, ProtocolError
from cxops.model.bundle import Bundle, Flow
from cxops.pipelines.promote.gates import drain
from cxops.pipelines.promote.parity import stable_hash
from cxops.pipelines.promote.strategy import Context, register
from cxops.transport import Cadence, VendorClient
from cxops.vendors.deploy.genesys import API, GenesysDeployer

__all__ = [
    "Conversation",
    "GenesysStrategy",
    "fingerprint",
    "flow_key",
    "load_conversations",
    "order",
    "portable",
]

BOT_TYPES = frozenset({"DIGITALBOT", "BOT"})
#: Keys left out of a portable bundle: per-save stamps and URIs that embed org-local ids.
DROPPED = frozenset({"selfUri", "dateModified", "modifiedBy"})
DEFAULT_RATE = 100.0
#: Import jobs and publish operations take seconds: poll early, then back off (the poller's
#: default first wait is half a second, per job).
CADENCE = Cadence(initial=0.1, minimum=0.05)


# -- portable keys ------------------------------------------------------------------------------


def _type(kind: str) -> str:
    """A flow type from a flow type or a dependency object type (``INBOUNDCALLFLOW``)."""
    upper = kind.upper()
    if upper.endswith("FLOW") and upper not in ("FLOW", "WORKFLOW"):
        return upper[: -len("FLOW")]
    return upper


def flow_key(flow_type: str, name: str) -> str:
    """The portable key of a flow: ``<TYPE>/<name>`` (``DIGITALBOT/Order Status Bot``)."""
    return f"{_type(flow_type)}/{name}"


def _ref_key(kind: str, name: str) -> str:
    if kind.upper().endswith("FLOW"):
        return flow_key(kind, name)
    return f"{kind.upper()}/{name}"


def _flow_type(flow: Flow) -> str:
    config = flow.properties.get("configuration")
    kind = config.get("type") if isinstance(config, dict) else None
    return str(kind) if kind else flow.kind.removeprefix("genesys.").upper()


def key_of(flow: Flow) -> str:
    """The portable key of one (raw) bundle flow."""
    return flow_key(_flow_type(flow), flow.name)


def _raw_refs(flow: Flow) -> Iterable[dict[str, Any]]:
    for node in flow.nodes:
        for ref in node.properties.get("refs") or []:  # type: ignore[union-attr]
            if isinstance(ref, dict):
                yield ref
    consumed = flow.properties.get("consumed")
    for dep in consumed if isinstance(consumed, list) else []:
        if isinstance(dep, dict):
            yield dep


def _division_ids(doc: Any, out: dict[str, str]) -> None:
    if isinstance(doc, dict) and doc.get("id") and doc.get("name"):
        out[str(doc["id"])] = f"division/{doc['name']}"


def id_map(bundle: Bundle) -> dict[str, str]:
    """Every org-local id of ``bundle`` → its portable key."""
    ids: dict[str, str] = {}
    _division_ids(bundle.properties.get("division"), ids)
    for flow in bundle.flows:
        ids[flow.id] = key_of(flow)
        config = flow.properties.get("configuration")
        _division_ids(config.get("division") if isinstance(config, dict) else None, ids)
        for ref in _raw_refs(flow):
            if ref.get("id") and ref.get("name") and ref.get("type"):
                ids.setdefault(str(ref["id"]), _ref_key(str(ref["type"]), str(ref["name"])))
    for res in bundle.resources:
        ids.setdefault(res.id, f"{res.kind}/{res.name}")
    return ids


def _swap(doc: Any, ids: dict[str, str]) -> Any:
    if isinstance(doc, dict):
        return {k: _swap(v, ids) for k, v in doc.items() if k not in DROPPED}
    if isinstance(doc, list):
        return [_swap(v, ids) for v in doc]
    if isinstance(doc, str):
        return ids.get(doc, doc)
    return doc


def _portable_flow(doc: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    props = dict(doc["properties"])
    entity = props.pop("flow", None)
    props.pop("versions", None)
    if isinstance(entity, dict):  # the entity is version bookkeeping but for these
        props["flow"] = {k: entity.get(k) for k in ("name", "type", "description")}
    config = props.get("configuration")
    if isinstance(config, dict):
        props["configuration"] = {k: v for k, v in config.items() if k != "version"}
    consumed = props.get("consumed")
    if isinstance(consumed, list):
        rows = [{k: v for k, v in d.items() if k != "version"} for d in consumed]
        props["consumed"] = sorted(_swap(rows, ids), key=lambda d: (d.get("type"), d.get("id")))
    out = _swap({**doc, "properties": props}, ids)
    out.update(version=None, versions=[])
    return dict(out)


def portable(bundle: Bundle) -> Bundle:
    """``bundle`` with org-local ids replaced by portable keys (see the module doc)."""
    ids = id_map(bundle)
    doc = bundle.model_dump(mode="json")
    doc["flows"] = [_portable_flow(f, ids) for f in doc["flows"]]
    # Resources derived from dependency tracking repeat the flows' "consumed" lists (compared
    # there, per flow): kept, a scoped promotion's parity would count every other flow's too.
    doc["resources"] = [
        {**_swap(r, ids), "version": None}
        for r in doc["resources"]
        if not (r.get("properties") or {}).get("derived")
    ]
    props = _swap(doc["properties"], ids)
    if isinstance(props.get("_order"), list):
        props["_order"] = sorted(props["_order"])
    doc["properties"] = props
    return Bundle.model_validate(doc)


#: Flow entity fields that stay put when a version is imported and the old one re-published.
KEPT = ("id", "name", "type", "description", "division", "active")


def fingerprint(bundle: Bundle) -> str:
    """What "restored to identical" compares for Genesys: the bundle's content hash without the
    version bookkeeping an import leaves behind (Architect cannot delete a version): version
    lists, checked-in/saved version, operation and publish dates. Ids stay in (a flow deleted
    and re-created would not be identical); the published version id stays in."""
    flows = []
    for flow in bundle.flows:
        props = dict(flow.properties)
        entity = props.pop("flow", None)
        props.pop("versions", None)
        if isinstance(entity, dict):
            kept = {k: entity.get(k) for k in KEPT}
            running = entity.get("publishedVersion")
            kept["publishedVersion"] = running.get("id") if isinstance(running, dict) else None
            props["flow"] = kept
        flows.append(flow.model_copy(update={"properties": props, "versions": []}))
    return stable_hash(bundle.model_copy(update={"flows": flows}))


# -- stages -------------------------------------------------------------------------------------


def _callees(flow: Flow, keys: dict[str, str]) -> set[str]:
    out = set()
    for node in flow.nodes:
        for ref in node.refs:
            if ref.kind == "flow" and ref.id in keys:
                out.add(keys[ref.id])
    return out


def order(flows: list[Flow]) -> list[Flow]:
    """``flows`` callees first (a module before the flows that call it), else by key; flows in
    a call cycle keep key order among themselves."""
    keys = {f.id: key_of(f) for f in flows}
    by_key = {key_of(f): f for f in flows}
    for f in flows:  # refs may carry the callee's id or (after an import) a bound one
        for ref in _raw_refs(f):
            name, kind = ref.get("name"), str(ref.get("type", ""))
            if kind.upper().endswith("FLOW") and name and ref.get("id"):
                key = flow_key(kind, str(name))
                if key in by_key:
                    keys.setdefault(str(ref["id"]), key)
    needs = {key_of(f): _callees(f, keys) - {key_of(f)} for f in flows}
    done: list[str] = []
    left = sorted(needs)
    while left:
        ready = [k for k in left if not needs[k] - set(done)]
        pick = ready[0] if ready else left[0]  # a cycle: take the first by key
        done.append(pick)
        left.remove(pick)
    return [by_key[k] for k in done]


def _wanted(flow: Flow, flows: Iterable[str]) -> bool:
    names = set(flows)
    return bool({flow.id, flow.name, key_of(flow)} & names)


def changed(source: Bundle, target: Bundle, flows: list[str] | None) -> list[Flow]:
    """Source flows (raw) to promote: in scope and missing or different on the target."""
    mine, theirs = portable(source), portable(target)
    there = {f.id: f for f in theirs.flows}
    keep = {f.id for f in mine.flows if f != there.get(f.id)}
    return [f for f in source.flows if key_of(f) in keep and (flows is None or _wanted(f, flows))]


def stage_flow(stage: str) -> tuple[str, str]:
    """``(action, flow key)`` of a stage name (``import:DIGITALBOT/Order Status Bot``)."""
    action, _, key = stage.partition(":")
    if action not in ("import", "publish") or "/" not in key:
        raise ProtocolError(f"genesys promote: unknown stage {stage!r}")
    return action, key


# -- the --tests section ------------------------------------------------------------------------


class Conversation:
    """One scripted text-bot conversation of the ``genesys:`` section of ``--tests``."""

    def __init__(self, doc: dict[str, Any], where: str) -> None:
        self.name = str(doc.get("name") or doc.get("flow") or where)
        self.flow = str(doc.get("flow") or "")
        turns = doc.get("turns")
        if not self.flow or not isinstance(turns, list) or not turns:
            raise InputError(f"--tests genesys.conversations {where}: needs 'flow' and 'turns'")
        for i, turn in enumerate(turns):
            if not isinstance(turn, dict) or ("say" not in turn and i > 0):
                raise InputError(
                    f"--tests genesys.conversations {where} turn {i + 1}: every turn but the "
                    "first needs 'say'"
                )
            if not isinstance(turn.get("expect", []), list):
                raise InputError(f"--tests {where} turn {i + 1}: 'expect' must be a list")
        self.turns: list[dict[str, Any]] = turns

    def covers(self, flow: Flow) -> bool:
        """Whether this conversation talks to ``flow`` (by name or key)."""
        return self.flow in (flow.name, key_of(flow))


def load_conversations(tests: dict[str, Any]) -> tuple[list[Conversation], dict[str, Any]]:
    """The conversations and settings of ``tests["genesys"]`` (none when absent)."""
    section = tests.get("genesys")
    section = {} if section is None else section
    if not isinstance(section, dict):
        raise InputError("--tests: 'genesys' must be a mapping")
    rows = section.get("conversations")
    rows = [] if rows is None else rows
    if not isinstance(rows, list):
        raise InputError("--tests genesys.conversations must be a list")
    convs = [
        Conversation(r if isinstance(r, dict) else {}, f"#{i + 1}") for i, r in enumerate(rows)
    ]
    return convs, section


def _texts(body: dict[str, Any]) -> list[str]:
    segments = ((body.get("prompts") or {}).get("textPrompts") or {}).get("segments") or []
    return [str(s.get("text", "")) for s in segments if isinstance(s, dict)]


def _judge(turn: dict[str, Any], body: dict[str, Any]) -> list[str]:
    """What of ``turn``'s expectations the bot's answer ``body`` missed."""
    texts = _texts(body)
    missing = [f"reply {e!r}" for e in turn.get("expect", []) if not any(e in t for t in texts)]
    kind = body.get("nextActionType")
    if turn.get("next") and kind != turn["next"]:
        missing.append(f"next {turn['next']} (got {kind})")
    ended = body.get("nextActionExit") or body.get("nextActionDisconnect") or {}
    if turn.get("reason") and ended.get("reason") != turn["reason"]:
        missing.append(f"reason {turn['reason']} (got {ended.get('reason')})")
    if turn.get("intent") and ended.get("activeIntent") != turn["intent"]:
        missing.append(f"intent {turn['intent']} (got {ended.get('activeIntent')})")
    return missing


async def converse(client: VendorClient, flow_id: str, conv: Conversation) -> dict[str, Any]:
    """Run ``conv`` against the bot flow ``flow_id`` (its published version)."""
    launch = {"flow": {"id": flow_id}, "externalSessionId": conv.name, "language": "en-us"}
    session = await client.send_json("POST", f"{API}/textbots/botflows/sessions", launch)
    if not isinstance(session, dict) or not session.get("id"):
        raise ProtocolError("genesys POST /textbots/botflows/sessions answered without an 'id'")
    url = f"{API}/textbots/botflows/sessions/{session['id']}/turns"
    # Turns are named as the script lists them (1-based); an opening turn the script does not
    # judge (its first turn already says something) is "opening".
    turns = [(f"turn {n}", t) for n, t in enumerate(conv.turns, 1)]
    if "say" in conv.turns[0]:
        turns.insert(0, ("opening", {}))
    previous: str | None = None
    failed: list[str] = []
    ended = False
    for label, turn in turns:
        if ended:
            failed.append(f"{label}: the bot had ended the session")
            break
        body: dict[str, Any] = {"inputEventType": "NoOp"}
        if "say" in turn:
            said = {"mode": "Text", "alternatives": [{"transcript": {"text": str(turn["say"])}}]}
            body = {"inputEventType": "UserInput", "inputEventUserInput": said}
        if previous:
            body["previousTurn"] = {"id": previous}
        answer = await client.send_json("POST", url, body)
        answer = answer if isinstance(answer, dict) else {}
        previous = str(answer.get("id") or "")
        failed += [f"{label}: {m}" for m in _judge(turn, answer)]
        ended = answer.get("nextActionType") != "WaitForInput"
    return {"conversation": conv.name, "flow": conv.flow, "passed": not failed, "failed": failed}


# -- the strategy -------------------------------------------------------------------------------


class GenesysStrategy:
    """How Genesys Cloud promotes (see the module doc)."""

    vendor: ClassVar[str] = "genesys"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # pure -------------------------------------------------------------------------------------

    def portable(self, bundle: Bundle) -> Bundle:
        """See :func:`portable`."""
        return portable(bundle)

    def fingerprint(self, bundle: Bundle) -> str:
        """See :func:`fingerprint` (what restore calls identical)."""
        return fingerprint(bundle)

    def portable_flows(self, bundle: Bundle, flows: list[str] | None) -> list[str] | None:
        """The portable ids (``<TYPE>/<name>``) of ``flows`` (source ids, names or keys) in
        ``bundle``: what parity over portable bundles needs for a scoped promotion (the plan's
        ``flows`` are the source's GUIDs, which portable bundles no longer carry)."""
        if flows is None:
            return None
        return sorted(key_of(f) for f in bundle.flows if _wanted(f, flows))

    def stages(self, source: Bundle, target: Bundle, flows: list[str] | None) -> list[str]:
        """``import:`` then ``publish:`` per flow to promote, callees first."""
        out = []
        for flow in order(changed(source, target, flows)):
            out += [f"import:{key_of(flow)}", f"publish:{key_of(flow)}"]
        return out

    # helpers ----------------------------------------------------------------------------------

    async def _deployer(self, side: str) -> GenesysDeployer:
        return GenesysDeployer(await self.ctx.client(side), cadence=CADENCE)

    async def _source(self, planned: dict[str, Any]) -> Bundle:
        return await self.ctx.bundle("source", planned["source"])

    def _keys(self, planned: dict[str, Any]) -> list[str]:
        """The flow keys the stages touch, in stage order."""
        keys = [stage_flow(s)[1] for s in planned.get("stages") or []]
        return list(dict.fromkeys(keys))

    async def _scope(self, planned: dict[str, Any]) -> list[Flow]:
        """Source flows in the promotion's scope (``--flows``, else the whole division)."""
        flows = (await self._source(planned)).flows
        wanted = planned.get("flows")
        return [f for f in flows if wanted is None or _wanted(f, wanted)]

    async def _by_key(self, side: str) -> dict[str, dict[str, Any]]:
        listed = await (await self._deployer(side)).flows()
        return {flow_key(str(f.get("type")), str(f.get("name"))): f for f in listed}

    # gates ------------------------------------------------------------------------------------

    async def gate(self, name: str, planned: dict[str, Any]) -> dict[str, Any]:
        """``health``, ``sessions`` or ``simulation`` evidence (see the module doc)."""
        if name == "health":
            return await self._health_gate(planned)
        if name == "sessions":
            return await self._sessions_gate(planned)
        if name == "simulation":
            return await self._simulate("simulation", "source", planned)
        return {"gate": name, "passed": True, "skipped": f"genesys has no {name} gate"}

    async def _health(
        self, gate: str, side: str, versions: dict[str, tuple[str, str]]
    ) -> dict[str, Any]:
        """NLU health of bot-flow versions (key → (flow id, version id)) on one side."""
        if not versions:
            return {"gate": gate, "passed": True, "skipped": "no bot flow is promoted"}
        _, section = load_conversations(self.ctx.tests)
        floor = float(section.get("min_intent_score", 0.0))
        language = str(section.get("language", "en-us"))
        client = await self.ctx.client(side)
        flows: dict[str, Any] = {}
        for key, (fid, vid) in sorted(versions.items()):
            url = f"{API}/flows/{fid}/versions/{vid}/health"
            body = await client.get_json(url, params={"language": language})
            langs = body.get("languageInfo") or {}
            status = {k: str((v or {}).get("status")) for k, v in langs.items()}
            low = {
                str(i.get("name")): score
                for i in body.get("intents") or []
                for h in ((i.get("languageHealth") or {}).values())
                if (score := float((h or {}).get("overallScore", 0.0))) < floor
            }
            ok = bool(status) and all(s == "Completed" for s in status.values()) and not low
            flows[key] = {"version": vid, "status": status, "low_intents": low, "passed": ok}
        return {
            "gate": gate,
            "passed": all(f["passed"] for f in flows.values()),
            "flows": flows,
            "min_intent_score": floor,
        }

    async def _health_gate(self, planned: dict[str, Any]) -> dict[str, Any]:
        source = await self._source(planned)
        keys = set(self._keys(planned))
        versions = {
            key_of(f): (f.id, str(f.version))
            for f in source.flows
            if key_of(f) in keys and _flow_type(f) in BOT_TYPES and f.version
        }
        return await self._health("health", "source", versions)

    async def _active(self, client: VendorClient, ids: dict[str, str]) -> dict[str, int]:
        predicates = [{"dimension": "flowId", "value": fid} for fid in ids.values()]
        query = {"filter": {"type": "or", "predicates": predicates}, "metrics": ["oFlow"]}
        url = f"{API}/analytics/flows/observations/query"
        body = await client.send_json("POST", url, query)
        counts = dict.fromkeys(ids.values(), 0)
        for row in (body or {}).get("results") or []:
            fid = str((row.get("group") or {}).get("flowId"))
            for data in row.get("data") or []:
                if data.get("metric") == "oFlow" and fid in counts:
                    counts[fid] += int((data.get("stats") or {}).get("count", 0))
        by_id = {fid: key for key, fid in ids.items()}
        return {by_id[fid]: n for fid, n in sorted(counts.items())}

    async def _sessions_gate(self, planned: dict[str, Any]) -> dict[str, Any]:
        there = await self._by_key("target")
        ids = {k: str(there[k]["id"]) for k in self._keys(planned) if k in there}
        if not ids:
            return {"gate": "sessions", "passed": True, "skipped": "no promoted flow runs there"}
        client = await self.ctx.client("target")
        params = self.ctx.params

        async def count() -> dict[str, int]:
            return await self._active(client, ids)

        return await drain(
            count,
            timeout=float(params.get("sessions_timeout") or 0.0),
            override=bool(params.get("override_sessions")),
            what="active flows",
        )

    async def _simulate(
        self, gate: str, side: str, planned: dict[str, Any], *, smoke: bool = False
    ) -> dict[str, Any]:
        """Run the ``--tests`` conversations of the flows in scope against one side."""
        convs, section = load_conversations(self.ctx.tests)
        if smoke and section.get("smoke") is not None:
            names = {str(n) for n in section["smoke"]}
            convs = [c for c in convs if c.name in names]
        if not convs:
            return {"gate": gate, "passed": True, "skipped": "no genesys.conversations in --tests"}
        scope = await self._scope(planned)
        chosen = [c for c in convs if any(c.covers(f) for f in scope)]
        skipped = [c.name for c in convs if c not in chosen]
        if not chosen:
            return {
                "gate": gate,
                "passed": True,
                "skipped": "no conversation covers the promoted flows",
                "not_run": skipped,
            }
        default = float(self.ctx.tests.get("min_success_rate", DEFAULT_RATE))
        threshold = float(section.get("min_success_rate", default))
        there = await self._by_key(side)
        client = await self.ctx.client(side)
        runs = []
        for conv in chosen:
            flow = next(f for f in scope if conv.covers(f))
            found = there.get(key_of(flow))
            if found is None:
                runs.append({"conversation": conv.name, "passed": False, "failed": ["no flow"]})
                continue
            try:
                runs.append(await converse(client, str(found["id"]), conv))
            except CxopsError as exc:  # the vendor refused the session: the check failed
                runs.append({"conversation": conv.name, "passed": False, "failed": [exc.message]})
        good = sum(1 for r in runs if r["passed"])
        rate = round(100.0 * good / len(runs), 2)
        return {
            "gate": gate,
            "passed": rate >= threshold,
            "success_rate": rate,
            "threshold": threshold,
            "runs": runs,
            "not_run": skipped,
        }

    # deploy -----------------------------------------------------------------------------------

    async def rollback_point(self, planned: dict[str, Any]) -> dict[str, Any]:
        """Each flow the stages touch: its target id and published version (None: absent)."""
        there = await self._by_key("target")
        flows: dict[str, Any] = {}
        for key in self._keys(planned):
            found = there.get(key)
            flows[key] = {
                "id": str(found["id"]) if found else None,
                "published": ((found or {}).get("publishedVersion") or {}).get("id"),
                "checked_in": ((found or {}).get("checkedInVersion") or {}).get("id"),
            }
        before = await self.ctx.bundle("target", planned["target"])
        new = sorted(k for k, v in flows.items() if v["id"] is None)
        return {
            "flows": flows,
            "new": new,
            "fingerprint": fingerprint(before),
            "describe": (
                f"published versions of {len(flows) - len(new)} flow(s) on "
                f"{planned['target']['name']}; {len(new)} new flow(s) to delete on restore"
            ),
        }

    async def deploy(
        self, stage: str, planned: dict[str, Any], point: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        """``import:<key>`` (export from the source, import on the target) or ``publish:<key>``
        (publish the imported version); each asks the target first (content, published)."""
        action, key = stage_flow(stage)
        dst = await self._deployer("target")
        if action == "import":
            source = await self._source(planned)
            flow = next((f for f in source.flows if key_of(f) == key), None)
            if flow is None:
                raise ProtocolError(f"genesys promote: {key} is not in the source bundle")
            data = await (await self._deployer("source")).export_file(flow.id, flow.version)
            result = await dst.import_file(data, self.ctx.key(f"deploy:{stage}"))
            entity = await dst.flow(result["flow_id"])
            version = (entity.get("checkedInVersion") or {}).get("id")
            return {**result, "flow": key, "version": version, "source_version": flow.version}
        imported = done.get(f"import:{key}") or {}
        flow_id = imported.get("flow_id") or (await self._by_key("target")).get(key, {}).get("id")
        if not flow_id:
            raise ProtocolError(f"genesys promote: {key} was not imported on the target")
        entity = await dst.publish(
            str(flow_id), imported.get("version"), self.ctx.key(f"deploy:{stage}")
        )
        published = (entity.get("publishedVersion") or {}).get("id")
        return {"flow": key, "flow_id": str(flow_id), "published": published}

    async def verify(self, planned: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
        """Target health and published versions, smoke conversations, the id map."""
        there = await self._by_key("target")
        published: dict[str, Any] = {}
        bots: dict[str, tuple[str, str]] = {}
        for key in self._keys(planned):
            wanted = (done.get(f"publish:{key}") or {}).get("published")
            entity = there.get(key) or {}
            now = (entity.get("publishedVersion") or {}).get("id")
            published[key] = {"wanted": wanted, "published": now, "passed": now == wanted}
            if key.split("/", 1)[0] in BOT_TYPES and entity.get("id") and now:
                bots[key] = (str(entity["id"]), str(now))
        health = await self._health("health", "target", bots)
        health["published"] = published
        health["passed"] = health["passed"] and all(p["passed"] for p in published.values())
        try:
            smoke = await self._simulate("smoke", "target", planned, smoke=True)
        except CxopsError as exc:  # a smoke run that cannot run fails verification
            smoke = {"gate": "smoke", "passed": False, "error": exc.message}
        source = await self._source(planned)
        id_map = {
            key_of(f): {
                "kind": "flow",
                "source": f.id,
                "target": (there.get(key_of(f)) or {}).get("id"),
            }
            for f in sorted(source.flows, key=key_of)
        }
        return {
            "passed": bool(health["passed"] and smoke["passed"]),
            "health": health,
            "smoke": smoke,
            "id_map": id_map,
        }

    async def restore(self, planned: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        """Callers first: re-publish each recorded version, delete flows the promotion made."""
        dst = await self._deployer("target")
        there = await self._by_key("target")
        actions: dict[str, str] = {}
        for key in reversed(list(point.get("flows") or {})):
            was = point["flows"][key]
            now = there.get(key)
            if was["id"] is None:
                if now is None:
                    actions[key] = "absent"
                    continue
                gone = await dst.delete(str(now["id"]), self.ctx.key(f"restore:{key}"))
                actions[key] = "deleted" if gone else "absent"
            elif was["published"] is None:
                actions[key] = "unpublished before: nothing to re-publish"
            else:
                current = ((now or {}).get("publishedVersion") or {}).get("id")
                if current == was["published"]:
                    actions[key] = f"published {current} (unchanged)"
                    continue
                await dst.publish(str(was["id"]), was["published"], self.ctx.key(f"restore:{key}"))
                actions[key] = f"re-published {was['published']} (was {current})"
        after = await self.ctx.bundle("target", planned["target"], fresh=True)
        restored = fingerprint(after)
        return {
            "flows": actions,
            "fingerprint_before": point.get("fingerprint"),
            "fingerprint_restored": restored,
            "identical": restored == point.get("fingerprint"),
        }


register("genesys", GenesysStrategy)
