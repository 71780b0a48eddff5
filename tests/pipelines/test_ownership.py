"""Two cxops processes on one store each finish their own run (issue #14): neither recovers the
other's live run at start, on PostgreSQL, on one SQLite store, and on two SQLite stores in one
folder. Real processes (forked from zygotes), a real emulator, real git."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cxops.emulator import EmulatorThread
from cxops.store import Store
from tests.helpers.zygote import Result, Zygote
from tests.pipelines.test_kill import PROJECT, _environment


@pytest.fixture(scope="module")
def zygotes() -> Iterator[tuple[Zygote, Zygote]]:
    with Zygote() as a, Zygote() as b:
        yield a, b


def _export(store: str, repo: str, rate: str) -> list[str]:
    return ["export", "--project", PROJECT, "--repo", repo, "--store", store, "--rate", rate,
            "--concurrency", "4", "--json"]  # fmt: skip


def _running(store: str) -> bool:
    with Store.open(store) as st:
        return any(r.status == "running" for r in st.runs.list(kind="export"))


@pytest.mark.parametrize(
    ("layout", "any_store_url"),
    [
        ("one-store", "sqlite"),
        ("one-store", "postgres"),
        ("two-stores-one-folder", "sqlite"),  # a folder of stores is SQLite's layout only
    ],
    indirect=["any_store_url"],
)
def test_two_processes_each_finish_their_own_run(
    emu: EmulatorThread,
    tmp_path: Path,
    any_store_url: str,
    zygotes: tuple[Zygote, Zygote],
    layout: str,
) -> None:
    """A slow export runs; a second process starts, exports and ends while the first still
    runs; each ends its own run (resumed nothing), the first without a traceback."""
    env = _environment(emu)
    first_store = any_store_url
    second_store = (
        f"sqlite:///{tmp_path / 'other.db'}" if layout == "two-stores-one-folder" else first_store
    )

    def second() -> Result:
        while not _running(first_store):
            time.sleep(0.05)
        other = tmp_path / "b"  # two zygotes at once: each its own folder for its output files
        other.mkdir()
        return zygotes[1].run(_export(second_store, "repo-b", "5000"), env, other)

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(zygotes[0].run, _export(first_store, "repo-a", "15"), env, tmp_path)
        b = pool.submit(second)
        results = [a.result(timeout=600), b.result(timeout=600)]
    docs = []
    for store, result in zip((first_store, second_store), results, strict=True):
        assert result.returncode == 1, result.stderr[-3000:]  # the project has a cycle: exit 1
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        doc = json.loads(result.stdout)
        assert doc["resumed"] == [] and doc["status"] == "succeeded"
        with Store.open(store) as st:
            run = st.runs.get(doc["run"])
            assert run is not None and run.status == "succeeded"
        docs.append(doc)
    assert docs[0]["run"] != docs[1]["run"]
    assert docs[0]["commit"] and docs[1]["commit"]
    with Store.open(first_store) as st:
        assert st.audit.verify().ok
        assert all(r.status == "succeeded" for r in st.runs.list(kind="export"))
