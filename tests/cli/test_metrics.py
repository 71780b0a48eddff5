"""``cxops metrics``: JSON and Prometheus output from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cxops.cli.main import main
from cxops.store import Store


def _seed(url: str) -> None:
    with Store.open(url) as st:
        for status in ("succeeded", "failed", "succeeded", "succeeded"):
            run = st.runs.start("export")
            st.runs.finish(run.id, status, summary={"checks": {"passed": 3, "failed": 1}})


def test_metrics_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json gives success rate and check pass rate computed from the stored runs."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    _seed(url)
    assert main(["metrics", "--json", "--store", url]) == 0
    doc = json.loads(capsys.readouterr().out)
    (export,) = doc["runs"]
    assert export["runs"] == 4 and export["success_rate"] == 0.75
    assert doc["checks"][0]["pass_rate"] == 0.75
    assert doc["dora"]["deployment_frequency"] is None


def test_metrics_prometheus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--prometheus prints a parseable exposition; text output is readable; both flags: exit 2."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    _seed(url)
    assert main(["metrics", "--prometheus", "--store", url]) == 0
    families = {f.name: f for f in text_string_to_metric_families(capsys.readouterr().out)}
    (ratio,) = families["cxops_check_pass_ratio"].samples
    assert ratio.value == 0.75
    assert main(["metrics", "--store", url]) == 0
    assert "export" in capsys.readouterr().out
    assert main(["metrics", "--json", "--prometheus", "--store", url]) == 2
