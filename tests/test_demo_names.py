"""On the demo's data, what a person reads names flows and nodes, never a bare id where a name
exists (issue #16): ``promote --dry-run``, ``diff``, ``metrics``, ``runs show`` and the export
commit message.

One module fixture builds the data as ``make demo`` does (``cxops.demo``): exports of the
Cognigy project "Appointment Booking" and of the Genesys tenants, dev and prod; the demo's
promotion part (dev → prod promoted, a comment added to the Main flow's greeting node in dev, a
promotion rolled back); then a dry run, an export of dev again, ``cxops metrics``, ``cxops
diff`` and ``cxops runs show`` of the rolled-back promotion, whose text output the tests read.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from cxops import demo
from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.store import Store

#: What an id looks like here: a UUID (Cognigy referenceIds, Genesys GUIDs), its first 8
#: characters (the old tables), or a 24-hex Cognigy/Mongo id.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MONGO = re.compile(r"\b[0-9a-f]{24}\b")
COMMENT = "greets returning callers by name (next sprint)"


@dataclass
class DemoTexts:
    """The text outputs read by the tests, and the ids they must not show."""

    dry_run: str
    commit: str
    metrics: str
    diff: str
    diff_genesys_by_id: str
    runs_show: str
    release_commit: str
    flow_ids: dict[str, str]  # Appointment Booking: name → referenceId


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


async def _export(settings: Any, repo: Path, store_url: str, project: str | None) -> None:
    options = ExportOptions(
        repo=repo, project=project, all=project is None, store=store_url, transport=demo.FAST
    )
    done = await run_export(settings, options)
    assert done["status"] == "succeeded", done


@pytest.fixture(scope="module")
def demo_texts(
    emulator_server: EmulatorThread, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoTexts]:
    emu = emulator_server
    emu.ctx.reset()
    emu.ctx.clock.set_speed(1.0)
    work = tmp_path_factory.mktemp("demo-names")
    store_url = f"sqlite:///{work / 'state.db'}"
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):  # as the autouse fixture does, for this module's scope
            if key.startswith(("CXOPS_", "COGNIGY_", "GENESYS_", "CXONE_", "NICE_")):
                mp.delenv(key)
        mp.setenv("HOME", str(work))
        for var in ("CXOPS_STORE_URL", demo.SECRET_ENV, *demo.KEY_ENV.values()):
            mp.setenv(var, "")  # restored afterwards (the demo sets them)
        mp.chdir(work)
        try:
            for tenant in ("dev", "prod"):
                for vendor, project in (("cognigy", demo.PROJECT), ("genesys", None)):
                    settings = demo._settings(info[vendor][tenant], vendor)
                    repo = work / "repos" / tenant
                    asyncio.run(_export(settings, repo, store_url, project))
            shutdown()
            with redirect_stdout(io.StringIO()):
                demo.promote_part(Console(file=io.StringIO()), emu, store_url, work, "release")
            base = ["promote", "--from", "dev", "--to", "prod", "--project", demo.PROJECT,
                    "--rate", "5000", "--concurrency", "32"]  # fmt: skip
            code, dry_run = _cli(*base, "--dry-run")
            assert code == 0, dry_run
            shutdown()
            cognigy = demo._settings(info["cognigy"]["dev"], "cognigy")
            asyncio.run(_export(cognigy, work / "repos" / "dev", store_url, demo.PROJECT))
            shutdown()
            commit = subprocess.run(
                ["git", "log", "-1", "--format=%B"], cwd=work / "repos" / "dev",
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            code, metrics = _cli("metrics", "--store", store_url)
            assert code == 0, metrics
            prod, dev = (str(work / "repos" / t / "flows") for t in ("prod", "dev"))
            code, diff = _cli("diff", prod, dev)
            assert code == 0, diff
            code, by_id = _cli("diff", f"{prod}/genesys", f"{dev}/genesys", "--by", "id")
            assert code == 0, by_id
            with Store.open(store_url) as st:
                runs = st.runs.list(kind="promote")
                rolled = next(r for r in runs if (r.summary or {}).get("outcome") == "rolled_back")
            code, show = _cli("runs", "show", rolled.id, "--store", store_url)
            assert code == 0, show
            release = subprocess.run(
                ["git", "log", "-1", "--format=%B"], cwd=work / "release",
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            ids = _flow_ids(work / "repos" / "dev")
            yield DemoTexts(dry_run, commit, metrics, diff, by_id, show, release, ids)
        finally:
            shutdown()
            httpx.post(f"{emu.url}/_emulator/clock", json={"speed": 1}).raise_for_status()


def _flow_ids(repo: Path) -> dict[str, str]:
    """Name → id of every flow of the dev repository's Cognigy project (from its files)."""
    out = {}
    for path in repo.glob("flows/cognigy/*/*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "nodes" in doc:
            out[doc["name"]] = doc["id"]
    return out


def _words(message: str) -> list[str]:
    """A commit message's lines but the file stat (files named as git has them) and trailers."""
    return [
        line
        for line in message.splitlines()
        if " | " not in line and "files changed" not in line and not line.startswith("Cxops-")
    ]


def _no_ids(lines: list[str], ids: dict[str, str]) -> None:
    """No UUID, no 24-hex id, no flow id and no 8-character id prefix in these lines."""
    for line in lines:
        assert not UUID.search(line) and not MONGO.search(line), line
        for ident in ids.values():
            assert ident[:8] not in line, line


def test_dry_run_plan_names_flow_node_field_and_values(demo_texts: DemoTexts) -> None:
    """The plan after the dev change: flow 'Main' › node 'Greeting': comment '' → '...'."""
    lines = demo_texts.dry_run.splitlines()
    assert "plan: 'Appointment Booking': 1 change(s), suggested bump patch" in lines
    assert f"  changed flow 'Main' › node 'Greeting': comment '' → '{COMMENT}'" in lines
    start = lines.index("plan: 'Appointment Booking': 1 change(s), suggested bump patch")
    end = next(i for i, line in enumerate(lines) if i > start and not line.startswith("  "))
    _no_ids(lines[start:end], demo_texts.flow_ids)


def test_export_commit_message_names_what_changed(demo_texts: DemoTexts) -> None:
    """The export of dev after the change: the changed flow by name, the node's change by flow,
    node, field and values; no id outside the file stat and the trailers."""
    lines = demo_texts.commit.splitlines()
    assert "  changed: flow 'Main'" in lines, demo_texts.commit
    assert f"changed flow 'Main' › node 'Greeting': comment '' → '{COMMENT}'" in lines
    _no_ids(_words(demo_texts.commit), demo_texts.flow_ids)


def test_promotion_commit_names_the_release(demo_texts: DemoTexts) -> None:
    """The artifact commit of the demo's first promotion: project and version in the subject,
    the flows it wrote by name, the plan's lines (what the release changed on prod)."""
    lines = demo_texts.release_commit.splitlines()
    assert lines[0] == "cxops promote dev -> prod: 'Appointment Booking' 1.1.0", lines[0]
    assert "  added: flow 'Main'" in lines and "  added: flow 'What's New'" in lines
    assert "plan: 'Appointment Booking': 16 change(s), suggested bump minor" in lines
    assert "  added flow 'What's New'" in lines
    _no_ids(_words(demo_texts.release_commit), demo_texts.flow_ids)


def test_metrics_dora_by_flow_names_the_flows(demo_texts: DemoTexts) -> None:
    """DORA by flow of the promoted project lists flows by name ('Main' was deployed twice,
    "What's New" once), never the 8-character id prefix the table used to show."""
    text = demo_texts.metrics
    assert "DORA by flow of 'Appointment Booking' in prod" in text
    table = text[text.index("DORA by flow of 'Appointment Booking' in prod") :]
    rows = {line.split("│")[1].strip(): line for line in table.splitlines() if "│" in line}
    assert "'Main'" in rows and "'What's New'" in rows, table
    assert rows["'Main'"].split("│")[2].strip() == "2"  # deploys: both promotions changed it
    _no_ids(table.splitlines(), demo_texts.flow_ids)


def test_diff_of_two_environments_names_everything(demo_texts: DemoTexts) -> None:
    """dev against prod (different tenants: by name): projects, flows and nodes by name; the
    Genesys projects' bump is minor by name and major by id (ids differ between orgs)."""
    text = demo_texts.diff
    assert text.splitlines()[0].startswith("compared by name (the two sides come from different")
    assert "cognigy project 'Appointment Booking': minor" in text
    assert "  added flow 'What's New'" in text  # prod's export predates the promotion
    assert f"  changed flow 'Main' › node 'Greeting': comment '' → '{COMMENT}'" in text
    assert "genesys project 'Digital Channels': minor" in text
    assert "  added flow 'Billing Assistant Bot'" in text
    changes = [line for line in text.splitlines() if line.startswith("  ")]
    assert changes
    for line in changes:
        # A short id only beside a name two things share: "'Name' (1a2b3c4d…)", never bare.
        assert not UUID.search(line), line
    assert "suggested bump: major" in demo_texts.diff_genesys_by_id
    assert "changed id" in demo_texts.diff_genesys_by_id


def test_runs_show_plan_names_the_change(demo_texts: DemoTexts) -> None:
    """runs show of the rolled-back promotion: its plan section names flow, node and field."""
    text = demo_texts.runs_show
    assert f"    changed flow 'Main' › node 'Greeting': comment '' → '{COMMENT}'" in text, text
    plan = text[text.index("\nplan\n") :].split("\n\n")[0].splitlines()
    _no_ids(plan, demo_texts.flow_ids)
