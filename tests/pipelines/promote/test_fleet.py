"""``cxops fleet export`` (issue #17): one export per profile through a worker, one table, and
a partial-failure report naming the tenant that was not exported."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from cxops.emulator import EmulatorThread
from tests.pipelines.promote.conftest import PROJECT
from tests.pipelines.promote.profiles import write_profiles
from tests.pipelines.test_workers import _cli, _stop, _worker
from tests.store.fixtures import PgServer, pg_schema_url


def test_fleet_export_reports_each_tenant_and_the_failures(
    fast_emu: EmulatorThread, tmp_path: Path, pg_admin: PgServer
) -> None:
    for store in pg_schema_url(pg_admin):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
        env |= write_profiles(fast_emu, tmp_path, "cognigy")
        worker = _worker("fleet", store, env, tmp_path)
        try:
            done = _cli(
                ["fleet", "export", "--profiles", "dev,prod,nope", "--project", PROJECT,
                 "--repos", "repos", "--rate", "5000", "--store", store, "--json"],
                env, tmp_path,
            )  # fmt: skip
        finally:
            _stop([worker])
        assert done.returncode == 1, done.stderr[-2000:]
        doc = json.loads(done.stdout)
        rows = {r["profile"]: r for r in doc["tenants"]}
        assert rows["nope"]["status"] == "not queued" and "nope" in rows["nope"]["error"]
        assert rows["dev"]["status"] == rows["prod"]["status"] == "succeeded", rows
        assert doc["failed"] == ["nope"]
        assert rows["dev"]["run"] != rows["prod"]["run"]
        for tenant in ("dev", "prod"):  # each tenant in its own repository, committed once
            log = subprocess.run(
                ["git", "log", "--format=%s"], cwd=tmp_path / "repos" / tenant,
                capture_output=True, text=True, check=True,
            ).stdout.splitlines()  # fmt: skip
            assert len(log) == 1 and "cognigy/" in log[0], log
