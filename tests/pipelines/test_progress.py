"""The progress tally: events in, counts, a fraction and an ETA out (no clock, no I/O)."""

from __future__ import annotations

import pytest

from cxops.pipelines.progress import Tally, traffic


def test_tally_counts_projects_flows_and_traffic() -> None:
    """Two projects: totals known once both reported; a replayed project_done counts once;
    traffic keeps the highest counts seen; the fraction weighs projects equally."""
    t = Tally()
    assert t.fraction() is None and t.eta(10) is None
    t.feed("planned", {"projects": ["a", "b"], "requests": 3})
    t.feed("progress", {"project": "a", "stage": "flows", "done": 0, "total": 4})
    assert t.flows_total is None  # b has not said how many it has
    t.feed("progress", {"project": "b", "stage": "scripts", "done": 1, "total": 2})
    t.feed("progress", {"project": "a", "stage": "archive", "done": 1, "total": 1})  # not flows
    assert (t.flows_done, t.flows_total) == (1, 6)
    assert t.fraction() == pytest.approx(0.25)  # a: 0/4, b: 1/2 → (0 + 0.5) / 2
    assert t.eta(30) == pytest.approx(90)
    assert t.feed("project_done", {"project": "b", "flows": 2, "requests": 40, "retries": 2})
    assert not t.feed("project_done", {"project": "b", "flows": 2, "requests": 12})
    assert (t.projects_done, t.requests, t.retries) == (1, 40, 2)
    t.feed("project_failed", {"project": "a", "error": "403"})
    assert (t.projects_done, t.projects_failed, t.fraction()) == (2, 1, 1.0)


def test_units_drive_the_fraction_once_counted() -> None:
    """compile: once units are counted, the fraction is units checked of units."""
    t = Tally()
    t.feed("planned", {"projects": ["a"]})
    t.feed("project_done", {"project": "a", "flows": 3})
    t.feed("units", {"done": 1, "total": 4})
    assert t.fraction() == 0.25 and t.eta(2) == pytest.approx(6)


def test_traffic_reads_a_client_s_budget() -> None:
    """traffic() is {} without a client and the budget's attempts and retries with one."""

    class Budget:
        attempts, retries = 7, 2

    class Client:
        budget = Budget()

    assert traffic(None) == {} and traffic(Client()) == {"requests": 7, "retries": 2}
