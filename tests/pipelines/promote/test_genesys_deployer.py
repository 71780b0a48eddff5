"""Genesys write side on the emulator: export dev's flow, import and publish on prod, and put
the old content back by importing the document kept before (no revert)."""

from __future__ import annotations

import asyncio
import json

import httpx

from cxops.emulator import EmulatorThread
from cxops.transport import TransportOptions, open_client
from cxops.transport.settings import ConnectionSettings, resolve_connection
from cxops.vendors.deploy.genesys import GenesysDeployer, same_content
from tests.pipelines.promote.conftest import FAST

FLOW = ("Authenticate Caller", "COMMONMODULE")  # dev has 2 versions, prod 1


def _settings(emu: EmulatorThread, tenant: str) -> ConnectionSettings:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["genesys"][tenant]
    flags = {"vendor": "genesys", "base_url": info["base_url"], "auth_url": info.get("auth_url")}
    flags |= info["credentials"]["admin"]
    return resolve_connection(flags, environ={})


def test_import_publish_once_each_and_restore_by_import(fast_emu: EmulatorThread) -> None:
    """Import + publish land once even when asked twice; importing the kept document of the
    old version and publishing it brings the old content back as a new version."""

    async def run() -> tuple[str, str, str, str]:
        opts = TransportOptions(**FAST)
        async with (
            open_client(_settings(fast_emu, "dev"), opts) as dc,
            open_client(_settings(fast_emu, "prod"), opts) as pc,
        ):
            dev, prod = GenesysDeployer(dc), GenesysDeployer(pc)
            src, dst = await dev.find(*FLOW), await prod.find(*FLOW)
            assert src is not None and dst is not None
            before = str(dst["publishedVersion"]["id"])
            data = await dev.export_file(str(src["id"]))
            for _ in range(2):
                done = await prod.import_file(data, "k-import")
                assert done["flow_id"] == dst["id"]
                flow = await prod.publish(done["flow_id"], None, "k-publish")
            promoted = str(flow["publishedVersion"]["id"])
            same = await prod.configuration(str(dst["id"]), promoted)
            mine = await dev.configuration(str(src["id"]), str(src["publishedVersion"]["id"]))
            assert same.get("name") == mine.get("name")
            kept = await prod.configuration(str(dst["id"]), before)
            back = await prod.import_file(json.dumps(kept).encode(), "k-restore")
            restored = await prod.publish(back["flow_id"], None, "k-restore-publish")
            now = str(restored["publishedVersion"]["id"])
            assert same_content(await prod.configuration(str(dst["id"]), now), kept)
            assert not same_content(kept, same)
            return before, promoted, now, str(done["command"])

    before, promoted, after, second = asyncio.run(run())
    assert len({before, promoted, after}) == 3  # a restore is a new version, old content
    assert second == "none"  # the second import found its content already checked in
    rows = httpx.get(f"{fast_emu.url}/_emulator/ledger", params={"tenant": "prod"}).json()
    effects = [r["effect"] for r in rows["entries"] if r["vendor"] == "genesys"]
    assert effects.count("genesys.flow.import") == 2
    assert effects.count("genesys.flow.publish") == 2
    assert effects.count("genesys.flow.revert") == 0
