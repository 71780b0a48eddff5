"""Genesys Cloud promotion: import + publish each flow of a division, callees first.

Mechanism (docs/promote/genesys.md): for each flow to promote, an Architect export job gives the
source flow's file at the version the plan exported; an import job checks it in on the target
(Architect binds references by name, so modules must be there first); a publish makes it run.

- :meth:`GenesysStrategy.portable` re-keys what is org-local by what both orgs share
  (``genesys_portable.py``); the ``--tests`` conversations are ``genesys_conversations.py``.
- Stages: ``import:<TYPE>/<name>`` then ``publish:<TYPE>/<name>`` per flow whose content
  differs on the target (or is missing there), callees before callers.
- Rollback point: each such flow's target id, published version and the configuration document
  of that version (``None``: not there). Restore imports each kept document as a new version
  and publishes it, callers first, and deletes flows the promotion created (no ``revert``:
  its meaning is undocumented).
- Gates: ``health`` (NLU health of the source bot-flow versions to promote), ``sessions``
  (active flows on the target, analytics observations), ``simulation`` (text-bot
  conversations from the ``genesys:`` section of ``--tests`` on the source).
- Verify: target health of the promoted bot flows and their published versions, the same
  conversations on the target (smoke), and the id map.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from cxops.errors import CxopsError, ProtocolError
from cxops.model.bundle import Bundle, Flow
from cxops.pipelines.promote.gates import drain
from cxops.pipelines.promote.genesys_conversations import converse, load_conversations
from cxops.pipelines.promote.genesys_portable import (
    BOT_TYPES,
    changed,
    fingerprint,
    flow_key,
    flow_type,
    in_scope,
    key_of,
    order,
    portable,
    stage_flow,
)
from cxops.pipelines.promote.strategy import Context, register
from cxops.transport import Cadence, VendorClient
from cxops.transport.urls import seg
from cxops.vendors.deploy.genesys import API, GenesysDeployer, same_content

__all__ = ["GenesysStrategy"]

DEFAULT_RATE = 100.0
#: Import jobs and publish operations take seconds: poll early, then back off (the poller's
#: default first wait is half a second, per job).
CADENCE = Cadence(initial=0.1, minimum=0.05)


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
        return sorted(key_of(f) for f in bundle.flows if in_scope(f, flows))

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
        return [f for f in flows if wanted is None or in_scope(f, wanted)]

    async def _by_key(self, side: str) -> dict[str, dict[str, Any]]:
        listed = await (await self._deployer(side)).flows()
        return {flow_key(str(f.get("type")), str(f.get("name"))): f for f in listed}

    async def _restore_flow(
        self,
        dst: GenesysDeployer,
        key: str,
        was: dict[str, Any],
        now: dict[str, Any] | None,
    ) -> str:
        """Bring one flow's published content back to the kept document (import + publish)."""
        doc = was.get("document")
        if not isinstance(doc, dict):
            raise ProtocolError(f"genesys restore: the rollback point kept no document of {key}")
        current = ((now or {}).get("publishedVersion") or {}).get("id")
        if now is not None and current:
            running = await dst.configuration(str(now["id"]), str(current))
            if same_content(running, doc):
                return f"published {current} holds the kept content (unchanged)"
        data = json.dumps(doc).encode()
        imported = await dst.import_file(data, self.ctx.key(f"restore:import:{key}"))
        entity = await dst.publish(imported["flow_id"], None, self.ctx.key(f"restore:{key}"))
        version = (entity.get("publishedVersion") or {}).get("id")
        return f"imported the kept content as {version} and published it (was {current})"

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
            url = f"{API}/flows/{seg(fid)}/versions/{seg(vid)}/health"
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
            if key_of(f) in keys and flow_type(f) in BOT_TYPES and f.version
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
        """Each flow the stages touch: its target id, published version and the configuration
        document of that version (None: absent), which restore imports and publishes again."""
        there = await self._by_key("target")
        dst = await self._deployer("target")
        flows: dict[str, Any] = {}
        for key in self._keys(planned):
            found = there.get(key)
            published = ((found or {}).get("publishedVersion") or {}).get("id")
            flows[key] = {
                "id": str(found["id"]) if found else None,
                "published": published,
                "checked_in": ((found or {}).get("checkedInVersion") or {}).get("id"),
                "document": (
                    await dst.configuration(str(found["id"]), str(published))
                    if found and published
                    else None
                ),
            }
        before = await self.ctx.bundle("target", planned["target"])
        new = sorted(k for k, v in flows.items() if v["id"] is None)
        return {
            "flows": flows,
            "new": new,
            "fingerprint": fingerprint(before),
            "describe": (
                f"configuration of the published version of {len(flows) - len(new)} flow(s) on "
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
            home = ((flow.properties.get("flow") or {}).get("division") or {}).get("name")  # type: ignore[union-attr]
            if isinstance(home, str) and home:  # a created flow lands in Home: move it
                await dst.move(result["flow_id"], home)
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
        """Callers first: import each kept configuration as a new version and publish it (a
        rollback is a new version with the old content); delete flows the promotion made.
        Asks first: a flow whose published content already is the kept one is left alone, an
        import already made is found by content and only published."""
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
                actions[key] = await self._restore_flow(dst, key, was, now)
        after = await self.ctx.bundle("target", planned["target"], fresh=True)
        restored = fingerprint(after)
        return {
            "flows": actions,
            "fingerprint_before": point.get("fingerprint"),
            "fingerprint_restored": restored,
            "identical": restored == point.get("fingerprint"),
        }


register("genesys", GenesysStrategy)
