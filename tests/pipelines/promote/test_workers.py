"""A promotion on the ``promote`` queue (issue #17), in real worker processes on PostgreSQL:
the worker reads both profiles' credentials itself (nothing secret is queued); a worker
SIGKILLed after its upload (past the rollback point) is replaced by a living worker that finishes
the promotion from its last step with no duplicate vendor effect (the emulator's ledger), the
audit chain verifying; ``cxops workers list`` shows the living worker and the runs it holds."""

from __future__ import annotations

import base64
import json
import os
import signal
from collections import Counter
from pathlib import Path

from cxops.emulator import EmulatorThread
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store
from tests.pipelines.promote.conftest import PROJECT, ledger
from tests.pipelines.promote.profiles import write_profiles
from tests.pipelines.test_workers import DEADLINE_S, _cli, _stop, _wait_final, _worker
from tests.store.fixtures import PgServer, pg_schema_url

DEPLOYS = ("cognigy.snapshot.create", "cognigy.package.upload", "cognigy.package.merge")


def test_a_killed_workers_promotion_is_finished_once_by_a_living_worker(
    fast_emu: EmulatorThread, tmp_path: Path, pg_admin: PgServer
) -> None:
    for store in pg_schema_url(pg_admin):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
        secrets = write_profiles(fast_emu, tmp_path, "cognigy")
        env |= secrets
        args = ["promote", "--from", "dev", "--to", "prod", "--project", PROJECT, "--rate",
                "5000", "--concurrency", "32", "--store", store, "--enqueue", "--json"]  # fmt: skip
        first = _cli(args, env, tmp_path)
        assert first.returncode == 0, first.stderr[-2000:]
        run = json.loads(first.stdout)["run"]
        again = _cli(args, env, tmp_path)
        assert json.loads(again.stdout) == {"run": run, "queued": False, "existed": True}
        # DBOS keeps the input pickled and base64-encoded: strings stay readable in the bytes.
        queued = base64.b64decode(str(_queued_input(store, run))).decode("latin-1")
        assert "profile" in queued and "prod" in queued, queued[:500]  # what the worker reads
        assert not [v for v in secrets.values() if len(v) > 6 and v in queued]
        killed = {**env, KILL_ENV: "deploy:upload@after_call"}
        doomed = _worker("doomed", store, killed, tmp_path, queues="promote")
        try:
            assert doomed.wait(timeout=DEADLINE_S) == -signal.SIGKILL
        finally:
            _stop([doomed])
        survivor = _worker("survivor", store, env, tmp_path, queues="promote")
        try:
            status = _wait_final(store, {run})
            listed = _cli(["workers", "list", "--store", store, "--json"], env, tmp_path)
        finally:
            _stop([survivor])
        assert status == {run: "succeeded"}, status
        effects = Counter(r["effect"] for r in ledger(fast_emu, "prod") if r.get("effect"))
        assert [effects[e] for e in DEPLOYS] == [1, 1, 1], effects  # nothing done twice
        with Store.open(store) as st:
            assert st.audit.verify().ok
        rows = {r["id"]: r for r in json.loads(listed.stdout)}
        assert rows["survivor"]["alive"] and rows["survivor"]["lease_age_s"] >= 0, rows
        assert "doomed" not in rows or rows["doomed"]["runs"] == 0, rows
        assert survivor.returncode == 0


def _queued_input(store: str, run: str) -> object:
    # What the queue holds for the run: DBOS' recorded workflow input.
    from sqlalchemy import create_engine, text

    from cxops.pipelines.engine import engine_url

    url, schema = engine_url(store)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(
                text(f'SELECT inputs FROM "{schema}".workflow_input WHERE workflow_uuid = :r'),
                {"r": run},
            ).scalar()
    finally:
        engine.dispose()
