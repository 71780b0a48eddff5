"""The kill matrix: kill -9 at every step boundary of a promotion; every restart finishes it.

For each step (plan, gates, rollback point, every deploy stage, verify, rollback, artifact,
finish) the process is killed **before** the step's work (no vendor call yet), **after the call**
(the vendor effect happened, nothing is recorded) and **after the checkpoint** (the store has it,
DBOS does not). The trials are chained: the promotion is started and killed at the first
boundary, then ``cxops runs resume`` in a new process is killed at the next one, and so on, until
a last resume finishes it; every process must die exactly where it was told. Afterwards: each
vendor effect happened once (emulator ledger), the target is fully promoted (parity 1.0) or
fully restored (content hash identical to before), one completion event, the audit verifies.

Each command runs in a fresh process forked from a zygote that imported cxops once
(``tests/helpers/zygote.py``): real SIGKILLs and real restarts at a fraction of the start-up cost.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.pipelines.promote.cxone import stage_name
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store
from tests.helpers.zygote import Zygote
from tests.pipelines.promote.conftest import PROJECT, ledger
from tests.pipelines.promote.cxone_helpers import calls_doc
from tests.pipelines.promote.cxone_helpers import effects as cxone_effects
from tests.pipelines.promote.profiles import write_profiles
from tests.pipelines.promote.test_cxone_promote import MAIN, PAY, SAVE
from tests.pipelines.promote.test_genesys_promote import BILLING, ORDER
from tests.pipelines.promote.test_genesys_promote import TESTS as GENESYS_TESTS
from tests.pipelines.promote.test_genesys_promote import effects as genesys_effects
from tests.pipelines.promote.test_rollback import FAULTS
from tests.store.fixtures import PgServer, pg_schema_url

WHERE = ("before", "after_call", "after_record")
#: Vendor effects of a Cognigy promotion that must happen exactly once on prod.
DEPLOYS = ("cognigy.snapshot.create", "cognigy.package.upload", "cognigy.package.merge")


def labels(*steps: str) -> list[str]:
    """Every boundary of these steps, in the order a run crosses them."""
    return [f"{step}@{where}" for step in steps for where in WHERE]


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    with Zygote() as z:
        yield z


def _setup(emu: EmulatorThread, root: Path, vendor: str = "cognigy") -> dict[str, str]:
    """Profiles dev and prod in ``root``; the subprocess environment (no CXOPS_* leaks in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    env |= write_profiles(emu, root, vendor)
    if vendor == "genesys":
        (root / "tests.yaml").write_text(yaml.safe_dump(GENESYS_TESTS), encoding="utf-8")
    return env


def chain(
    zygote: Zygote,
    root: Path,
    env: dict[str, str],
    store: str,
    kills: list[str],
    args: list[str] | None = None,
) -> dict[str, Any]:
    """Start a promotion (``args``: default the Cognigy project, tagged into a repo) killed at
    ``kills[0]``, resume it killed at each next label, then resume it to the end; the final
    summary."""
    args = args or ["promote", "--from", "dev", "--to", "prod", "--project", PROJECT,
                    "--version", "1.1.0", "--repo", "releases"]  # fmt: skip
    args = [*args, "--store", store, "--rate", "5000", "--concurrency", "32", "--json"]
    first = zygote.run(args, {**env, KILL_ENV: kills[0]}, root)
    assert first.returncode == -9, (kills[0], first.stderr[-2000:])
    with Store.open(store) as st:
        [run] = st.runs.list(kind="promote")
    resume = ["runs", "resume", run.id, "--store", store, "--json"]
    for label in kills[1:]:
        killed = zygote.run(resume, {**env, KILL_ENV: label}, root)
        assert killed.returncode == -9, (label, killed.returncode, killed.stderr[-2000:])
    done = zygote.run(resume, env, root)
    assert done.stdout, done.stderr[-2000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def _effects(emu: EmulatorThread) -> Counter[str]:
    return Counter(r["effect"] for r in ledger(emu, "prod") if r.get("effect"))


def _sound(store: str, run_id: str, event: str) -> None:
    with Store.open(store) as st:
        assert st.audit.verify().ok
        events = [e.type for e in st.outbox.events(run_id=run_id)]
        assert events.count(event) == 1, events
        steps = st.steps.for_run(run_id)
        assert all(s.status == "succeeded" for s in steps), [(s.key, s.status) for s in steps]


@pytest.mark.slow
def test_kill_at_every_boundary_of_a_promotion(
    fast_emu: EmulatorThread, tmp_path: Path, zygote: Zygote
) -> None:
    """Killed at all 27 boundaries in turn: promoted once, parity 1.0, the tag, one event."""
    env = _setup(fast_emu, tmp_path)
    store = f"sqlite:///{tmp_path / 'state.db'}"
    steps = ("plan", "gates", "rollback_point", "deploy:package", "deploy:upload",
             "deploy:merge", "verify", "artifact", "finish")  # fmt: skip
    out = chain(zygote, tmp_path, env, store, labels(*steps))
    assert out["resumed"] is True and out["outcome"] == "promoted", out.get("error")
    assert out["parity"]["score"] == 1.0, out["parity"]["differences"]
    effects = _effects(fast_emu)
    assert [effects[e] for e in DEPLOYS] == [1, 1, 1], effects
    assert out["artifact"]["tag"] == "1.1.0"
    _sound(store, out["run"], "flow.promote.completed")


def _rollback_chain(emu: EmulatorThread, root: Path, zygote: Zygote, store: str) -> None:
    """A promotion whose verification fails, killed at every boundary from the merge on."""
    emu.ctx.load_scenario(Scenario.parse({"faults": [FAULTS["verify"]]}))
    env = _setup(emu, root)
    kills = labels("deploy:merge", "verify", "rollback", "finish")
    out = chain(zygote, root, env, store, kills)
    assert out["outcome"] == "rolled_back", out.get("error")
    assert out["rollback"]["identical"] is True, out["rollback"]
    effects = _effects(emu)
    assert effects["cognigy.snapshot.restore"] == 1, effects
    assert [effects[e] for e in DEPLOYS] == [1, 1, 1], effects
    _sound(store, out["run"], "flow.promote.rolled_back")
    with Store.open(store) as st:
        assert [r.id for r in st.runs.list(kind="rollback")] == [f"{out['run']}-rollback"]


@pytest.mark.slow
def test_kill_at_every_boundary_of_a_rollback(
    fast_emu: EmulatorThread, tmp_path: Path, zygote: Zygote
) -> None:
    """Verification fails (prod's simulator refuses the smoke run); the rollback is killed at
    each boundary too: restored once, content identical to before, one rollback run."""
    _rollback_chain(fast_emu, tmp_path, zygote, f"sqlite:///{tmp_path / 'state.db'}")


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_at_every_boundary_of_a_rollback_on_postgresql(
    fast_emu: EmulatorThread, tmp_path: Path, zygote: Zygote, pg_admin: PgServer
) -> None:
    """The same with the store and the durable engine on PostgreSQL."""
    for url in pg_schema_url(pg_admin):
        try:
            _rollback_chain(fast_emu, tmp_path, zygote, url)
        finally:
            schema = url.rsplit("search_path%3D", 1)[-1]
            assert pg_admin.engine is not None
            with pg_admin.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_dbos" CASCADE'))


@pytest.mark.slow
def test_kill_at_every_boundary_of_a_genesys_promotion(
    emu: EmulatorThread, tmp_path: Path, zygote: Zygote
) -> None:
    """Genesys (import + publish per bot flow, callees first): killed at every boundary in
    turn, each flow imported and published once (the created one moved to its division once),
    parity 1.0, one completion event."""
    emu.ctx.clock.set_speed(200)
    env = _setup(emu, tmp_path, "genesys")
    store = f"sqlite:///{tmp_path / 'state.db'}"
    stages = [
        f"deploy:{what}:{flow}" for flow in (BILLING, ORDER) for what in ("import", "publish")
    ]
    kills = labels("plan", "gates", "rollback_point", *stages, "verify", "finish")
    args = ["promote", "--from", "dev", "--to", "prod", "--project", "Digital Channels",
            "--tests", "tests.yaml"]  # fmt: skip
    out = chain(zygote, tmp_path, env, store, kills, args)
    assert out["outcome"] == "promoted", out.get("error")
    assert out["plan"]["stages"] == [s.removeprefix("deploy:") for s in stages]
    assert out["parity"]["score"] == 1.0, out["parity"]["differences"]
    done = Counter(r["effect"] for r in genesys_effects(emu, "prod"))
    # The created bot is moved once from Home (where an import creates a flow) to its division.
    want = {"genesys.flow.import": 2, "genesys.flow.update": 1, "genesys.flow.publish": 2}
    assert done == want, done
    _sound(store, out["run"], "flow.promote.completed")


@pytest.mark.slow
def test_kill_at_every_boundary_of_a_cxone_promotion(
    emu: EmulatorThread, tmp_path: Path, zygote: Zygote
) -> None:
    """CXone (a save per script, the callee first): killed at every boundary in turn, each
    script saved once, parity 1.0, one completion event."""
    emu.ctx.clock.set_speed(200)
    env = _setup(emu, tmp_path, "cxone")
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(calls_doc(emu, MAIN, PAY)), "utf-8")
    stages = [f"deploy:{stage_name(PAY)}", f"deploy:{stage_name(MAIN)}"]
    kills = labels("plan", "gates", "rollback_point", *stages, "verify", "finish")
    args = ["promote", "--from", "dev", "--to", "prod", "--project", "Billing",
            "--tests", "tests.yaml"]  # fmt: skip
    out = chain(zygote, tmp_path, env, store := f"sqlite:///{tmp_path / 'state.db'}", kills, args)
    assert out["outcome"] == "promoted", out.get("error")
    assert out["parity"]["score"] == 1.0, out["parity"]["differences"]
    assert cxone_effects(emu) == [(SAVE, PAY), (SAVE, MAIN)]
    _sound(store, out["run"], "flow.promote.completed")


@pytest.mark.slow
def test_kill_at_every_boundary_of_a_repoint(
    fast_emu: EmulatorThread, tmp_path: Path, zygote: Zygote
) -> None:
    """Cognigy by endpoint re-point: killed at every boundary in turn, one snapshot made on dev,
    one upload to prod, each endpoint re-pointed once, parity 1.0 (of what the endpoints run)."""
    env = _setup(fast_emu, tmp_path)
    stages = ["deploy:snapshot", "deploy:transfer", "deploy:repoint"]
    kills = labels("plan", "gates", "rollback_point", *stages, "verify", "finish")
    args = ["promote", "--from", "dev", "--to", "prod", "--project", PROJECT,
            "--mechanism", "repoint"]  # fmt: skip
    out = chain(zygote, tmp_path, env, store := f"sqlite:///{tmp_path / 'state.db'}", kills, args)
    assert out["outcome"] == "promoted", out.get("error")
    assert out["parity"]["score"] == 1.0, out["parity"]["differences"]
    prod = _effects(fast_emu)
    assert prod["cognigy.snapshot.upload"] == 1, prod
    assert prod["cognigy.endpoint.repoint"] == len(out["rollback_point"]["entrypoints"]), prod
    assert prod["cognigy.package.merge"] == 0 and prod["cognigy.snapshot.create"] == 0, prod
    dev = Counter(r["effect"] for r in ledger(fast_emu, "dev") if r.get("effect"))
    assert dev["cognigy.snapshot.create"] == 1, dev
    _sound(store, out["run"], "flow.promote.completed")
