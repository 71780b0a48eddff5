"""The pure side of incremental export: what to fetch, stamps carried into the lock, drift."""

from __future__ import annotations

from typing import Any

from cxops.analysis.incremental import plan_project, stamp_drift, stamps_only, with_stamps
from cxops.analysis.lock import lock_drift


def _lock(
    flows: dict[str, tuple[str, str | None]], project_stamp: str | None = None
) -> dict[str, Any]:
    bundle = {"vendor": "v", "project": "p", "content_hash": "H" + "".join(sorted(flows))}
    if project_stamp:
        bundle["stamp"] = project_stamp
    rows = []
    for fid, (digest, stamp) in sorted(flows.items()):
        row = {"vendor": "v", "project": "p", "id": fid, "name": fid.upper(), "hash": digest}
        if stamp:
            row["stamp"] = stamp
        rows.append(row)
    return {"lock_version": 1, "bundle": [bundle], "flow": rows, "dependency": []}


def test_plan_fetches_moved_and_new_flows_and_removes_gone_ones() -> None:
    """Only flows whose stamp moved (or that are new, or listed without a stamp) are fetched."""
    lock = _lock({"a": ("1", "s1"), "b": ("2", "s2"), "c": ("3", "s3")})
    plan = plan_project(lock, "v", "p", {"flows": {"a": "s1", "b": "s2x", "d": "s4", "e": ""}})
    assert (plan.full, plan.fetch, plan.removed, plan.kept) == (
        False,
        ("b", "d", "e"),
        ("c",),
        ("a",),
    )
    same = plan_project(lock, "v", "p", {"flows": {"a": "s1", "b": "s2", "c": "s3"}})
    assert same.unchanged and same.kept == ("a", "b", "c")


def test_plan_is_full_without_stamps_or_when_the_project_stamp_moved() -> None:
    """An old lock (no stamps), an unknown project or a moved project stamp: fetch it all."""
    listed = {"flows": {"a": "s1"}, "project": "P1"}
    assert plan_project(_lock({"a": ("1", None)}, "P1"), "v", "p", listed).full
    assert plan_project(_lock({"a": ("1", "s1")}, "P1"), "v", "other", listed).full
    assert plan_project(_lock({"a": ("1", "s1")}, "P0"), "v", "p", listed).full
    assert not plan_project(_lock({"a": ("1", "s1")}, "P1"), "v", "p", listed).full


def test_stamps_are_set_from_the_run_or_carried_while_the_content_holds() -> None:
    """This run's stamps win; a project it did not list keeps a flow's stamp only while the
    flow's hash is unchanged; stamps never count as drift."""
    previous = _lock({"a": ("1", "s1"), "b": ("2", "s2")})
    current = _lock({"a": ("1", None), "b": ("9", None)})
    carried = with_stamps(current, {}, previous)
    assert [r.get("stamp") for r in carried["flow"]] == ["s1", None]
    listed = with_stamps(current, {("v", "p"): {"flows": {"a": "n1", "b": "n2"}}}, previous)
    assert [r.get("stamp") for r in listed["flow"]] == ["n1", "n2"]
    assert lock_drift(current, listed) == []


def test_drift_names_flows_whose_content_moved_under_the_same_stamp() -> None:
    """Same stamp, other hash: a change the vendor did not stamp; a moved stamp is not drift."""
    previous = _lock({"a": ("1", "s1"), "b": ("2", "s2")})
    current = _lock({"a": ("1b", "s1"), "b": ("2b", "s2x")})
    found = stamp_drift(previous, current)
    assert [(s.flow, s.locked_hash, s.hash) for s in found] == [("a", "1", "1b")]
    assert "flow 'A' (a) changed without its vendor stamp changing" in found[0].describe()
    assert stamp_drift(previous, previous) == []


def test_drift_of_a_project_with_no_flow_to_explain_it() -> None:
    """A bundle whose hash moved while its own and every flow's stamp held is reported too."""
    previous = _lock({"a": ("1", "s1")}, "P1")
    current = _lock({"a": ("1", "s1")}, "P1")
    current["bundle"][0]["content_hash"] = "other"
    found = stamp_drift(previous, current)
    assert [(s.project, s.flow) for s in found] == [("p", None)]


def test_no_drift_reported_where_flows_came_or_went() -> None:
    """A flow's converted content may move when another flow of its project appears or goes
    (references resolve against the project's flows): no stale stamp is claimed there."""
    previous = _lock({"a": ("1", "s1")})
    current = _lock({"a": ("1b", "s1"), "b": ("2", "s2")})
    assert stamp_drift(previous, current) == []
    cognigy_before = _lock({"a": ("1", "s1")}, "P1")
    cognigy_after = _lock({"a": ("1b", "s1")}, "P2")  # a lexicon changed: refs may move
    assert stamp_drift(cognigy_before, cognigy_after) == []


def test_widen_reads_again_the_flows_that_use_a_moved_one() -> None:
    """A kept flow referencing a fetched, removed or fully re-read flow is fetched too; one
    referencing only kept flows stays kept; nothing moves when nothing changed."""
    from cxops.analysis.incremental import ProjectPlan, widen

    plans = {
        "p": ProjectPlan(False, fetch=("x",), kept=("a", "b", "c")),
        "q": ProjectPlan(True),
        "r": ProjectPlan(False, kept=("d",)),
    }
    refs = {"p": {"a": ["x"], "b": ["q1"], "c": ["a"]}, "r": {"d": ["c"]}}
    out = widen(plans, {"q": ["q1"]}, refs)
    assert out["p"].fetch == ("a", "b", "x") and out["p"].kept == ("c",)
    assert out["r"] == plans["r"] and out["q"].full
    calm = {"p": ProjectPlan(False, kept=("a",))}
    assert widen(calm, {}, {"p": {"a": ["a"]}}) == calm


def test_stamps_only_tells_a_stamp_move_from_a_content_change() -> None:
    """A lock that differs in stamps alone is 'stamps only'; any other difference is not."""
    before = {
        "lock_version": 1,
        "bundle": [{"vendor": "cxone", "project": "P", "content_hash": "sha256:a", "stamp": "1"}],
        "flow": [{"vendor": "cxone", "project": "P", "id": "f", "hash": "sha256:b", "stamp": "1"}],
    }
    moved = {
        **before,
        "flow": [{"vendor": "cxone", "project": "P", "id": "f", "hash": "sha256:b", "stamp": "2"}],
    }
    changed = {
        **moved,
        "flow": [{"vendor": "cxone", "project": "P", "id": "f", "hash": "sha256:c", "stamp": "2"}],
    }
    assert stamps_only(before, moved)
    assert not stamps_only(before, before)  # nothing moved at all
    assert not stamps_only(before, changed)
    assert not stamps_only(None, moved)  # no lock yet: written


def test_a_lock_gaining_stamps_is_not_stamps_only() -> None:
    """A lock written before stamps gains them: written, so the next export is incremental."""
    row = {"vendor": "cxone", "project": "P", "id": "f", "hash": "sha256:b"}
    before = {"lock_version": 1, "flow": [row]}
    assert not stamps_only(before, {"lock_version": 1, "flow": [{**row, "stamp": "1"}]})
