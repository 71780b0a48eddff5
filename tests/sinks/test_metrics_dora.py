"""DORA figures from promotion runs in a real SQLite store: what counts as a deployment and as a
failure, time to restore, and the figures per environment, project and flow (text, JSON,
Prometheus)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cxops.cli.main import main
from cxops.sinks.metrics import collect
from cxops.sinks.metrics_prometheus import prometheus_text
from cxops.store import Run, Store


def _plan(project: str, *, flows: list[str] | None = None, changed: tuple[str, ...] = ()) -> Any:
    changes = [{"action": "added", "what": "flow", "id": f, "detail": "New"} for f in changed[:1]]
    changes += [{"action": "changed", "what": "node", "id": "n1", "flow": f} for f in changed[1:]]
    return {
        "source": {"id": "s", "name": project},
        "target": {"id": "t", "name": project},
        "flows": flows,
        "diff": {"bump": "minor", "changes": changes},
    }


def _promote(
    st: Store, env: str, project: str, outcome: str, *, plan: Any = None, restore: str = ""
) -> Run:
    """One promote run as the workflow records it; ``restore`` adds its rollback run."""
    run = st.runs.start("promote", {"target": env, "project": project})
    failed = outcome in ("rolled_back", "rollback_failed", "blocked", "plan_failed")
    summary = {"outcome": outcome, "rolled_back": outcome in ("rolled_back", "rollback_failed")}
    summary["plan"] = plan or _plan(project)
    if restore:
        rid = f"{run.id}-rollback"
        st.runs.start("rollback", {"target": env, "promote": run.id}, run_id=rid)
        st.runs.finish(rid, restore, summary={"identical": restore == "succeeded"})
    st.runs.finish(run.id, "failed" if failed else "succeeded", summary=summary)
    found = st.runs.get(run.id)
    assert found is not None
    return found


def _seed(st: Store) -> dict[str, Run]:
    ab = _plan("Billing", changed=("f1", "f2", "f2"))
    runs = {
        "prod_ok": _promote(st, "prod", "Billing", "promoted", plan=ab),
        "prod_blocked": _promote(st, "prod", "Billing", "blocked"),
        "prod_plan_failed": _promote(st, "prod", "Billing", "plan_failed"),
        "prod_rb": _promote(
            st,
            "prod",
            "Billing",
            "rolled_back",
            plan=_plan("Billing", flows=["f1"], changed=("f1",)),
            restore="succeeded",
        ),
        "stg_ok": _promote(st, "staging", "Billing", "promoted"),
        "stg_rbf": _promote(st, "staging", "Support", "rollback_failed", restore="failed"),
        "stg_fix": _promote(st, "staging", "Support", "promoted"),
    }
    dry = st.runs.start("promote-dry-run", {"target": "prod", "project": "Billing"})
    st.runs.finish(dry.id, summary={"outcome": "dry_run"})
    return runs


def test_blocked_and_dry_runs_are_not_deployments_rollbacks_are_failures(sqlite_url: str) -> None:
    """5 deployments (blocked, plan_failed, dry run left out), 2 failed; restore times."""
    with Store.open(sqlite_url) as st:
        runs = _seed(st)
        rollback = st.runs.get(f"{runs['prod_rb'].id}-rollback")
        dora = collect(st, window=timedelta(days=10)).dora
    assert rollback is not None and rollback.ended is not None
    assert (dora.deployments, dora.failed) == (5, 2)
    assert dora.change_failure_rate == 2 / 5
    assert dora.deployment_frequency == 3 / 10
    envs = {g.environment: g for g in dora.by_environment}
    assert (envs["prod"].deployments, envs["prod"].failed) == (2, 1)
    assert envs["prod"].change_failure_rate == 0.5
    assert envs["prod"].deployment_frequency == 1 / 10
    # Restored by its own rollback: from the failed run's start to the rollback's end.
    expected = (rollback.ended - runs["prod_rb"].started).total_seconds()
    assert envs["prod"].time_to_restore_p50 == expected
    # The rollback failed: restored by the next good deployment of the same project.
    fix_end = runs["stg_fix"].ended
    assert fix_end is not None
    projects = {(g.environment, g.project): g for g in dora.by_project}
    assert set(projects) == {("prod", "Billing"), ("staging", "Billing"), ("staging", "Support")}
    support = projects[("staging", "Support")]
    assert (support.deployments, support.failed, support.change_failure_rate) == (2, 1, 0.5)
    assert support.time_to_restore_p50 == (fix_end - runs["stg_rbf"].started).total_seconds()
    assert projects[("staging", "Billing")].time_to_restore_p50 is None
    # Flows: the diff's changed flows (f1 added, f2 changed), or --flows of a scoped run.
    flows = {(g.project, g.flow): g for g in dora.by_flow}
    assert set(flows) == {("Billing", "f1"), ("Billing", "f2")}
    assert (flows[("Billing", "f1")].deployments, flows[("Billing", "f1")].failed) == (2, 1)
    assert flows[("Billing", "f2")].change_failure_rate == 0.0


def test_only_blocked_promotions_give_no_dora_figures(sqlite_url: str) -> None:
    """A gate that blocks every promotion deployed nothing: no frequency, no failure rate."""
    with Store.open(sqlite_url) as st:
        _promote(st, "prod", "Billing", "blocked")
        dora = collect(st).dora
    assert dora.deployments == 0 and dora.deployment_frequency is None
    assert dora.change_failure_rate is None and dora.by_environment == []


def test_grouped_figures_in_json_text_and_prometheus(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """cxops metrics shows the groups: JSON lists, text tables, Prometheus labels."""
    with Store.open(sqlite_url) as st:
        _seed(st)
        text = prometheus_text(st)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    ratio = {
        s.labels["environment"]: s.value
        for s in families["cxops_dora_change_failure_ratio_by_environment"].samples
    }
    assert ratio == {"prod": 1 / 2, "staging": 1 / 3}
    deploys = {
        (s.labels["environment"], s.labels["project"], s.labels["flow"]): s.value
        for s in families["cxops_dora_deployments_by_flow"].samples
    }
    assert deploys == {("prod", "Billing", "f1"): 2.0, ("prod", "Billing", "f2"): 1.0}
    (overall,) = families["cxops_dora_change_failure_ratio"].samples
    assert overall.value == 2 / 5
    assert main(["metrics", "--json", "--store", sqlite_url]) == 0
    doc = json.loads(capsys.readouterr().out)["dora"]
    assert doc["deployments"] == 5 and len(doc["by_project"]) == 3
    assert {g["flow"] for g in doc["by_flow"]} == {"f1", "f2"}
    assert main(["metrics", "--store", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "5 deployment(s), 2 failed" in out
    assert "DORA by environment" in out and "DORA by flow of 'Billing' in prod" in out
    assert "Support" in out and "DORA by flow of 'Support'" not in out  # no flow in its diffs
    # A plan recorded without names (these): each flow by its id, the only name there is.
    assert "│ f1 " in out and "│ f2 " in out


def test_flows_read_by_name_in_text_and_prometheus(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Genesys flows keyed <TYPE>/<name> (8 characters alike: 'DIGITALB') are named in the
    DORA table, the id beside a name two flows share; Prometheus labels carry flow_name beside
    the id, one series per flow."""
    keys = {
        "DIGITALBOT/Order Status Bot": "Order Status Bot",
        "DIGITALBOT/Billing Assistant Bot": "Billing Assistant Bot",
        "INBOUNDCALL/Order Status Bot": "Order Status Bot",
    }
    changes = [
        {"action": "changed", "what": "node", "id": "n1", "flow": k, "flow_name": name,
         "text": f"changed flow '{name}' › node 'Greeting': text 'a' → 'b'"}
        for k, name in keys.items()
    ]  # fmt: skip
    plan = {**_plan("Digital Channels"), "diff": {"bump": "patch", "changes": changes}}
    with Store.open(sqlite_url) as st:
        _promote(st, "prod", "Digital Channels", "promoted", plan=plan)
        text = prometheus_text(st)
    samples = [
        s.labels
        for f in text_string_to_metric_families(text)
        if f.name == "cxops_dora_deployments_by_flow"
        for s in f.samples
    ]
    assert {(s["flow"], s["flow_name"]) for s in samples} == set(keys.items())
    assert main(["metrics", "--store", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "DORA by flow of 'Digital Channels' in prod" in out
    assert "'Billing Assistant Bot' " in out and "DIGITALB " not in out
    assert "'Order Status Bot' (DIGITALBOT/Order Status Bot)" in out
    assert "'Order Status Bot' (INBOUNDCALL/Order Status Bot)" in out
    assert main(["metrics", "--json", "--store", sqlite_url]) == 0
    by_flow = json.loads(capsys.readouterr().out)["dora"]["by_flow"]
    assert {(g["flow"], g["flow_name"]) for g in by_flow} == set(keys.items())
