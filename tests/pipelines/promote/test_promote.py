"""Promotion of the Cognigy fixture project dev → prod over real HTTP, real git, SQLite store."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from cxops.emulator import EmulatorThread
from cxops.pipelines.promote.runner import PromoteOptions, run_promote
from cxops.store import Store
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings, ledger


def promote(emu: EmulatorThread, store: str, **kw: Any) -> dict[str, Any]:
    """Run one promotion dev → prod of the fixture project and return its summary."""
    kw.setdefault("project", PROJECT)
    options = PromoteOptions(store=store, transport=FAST, **kw)
    dev, prod = admin_settings(emu, "dev"), admin_settings(emu, "prod")
    return asyncio.run(run_promote(dev, prod, options))


def test_dev_to_prod_promotion_reaches_parity(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """A clean promotion deploys once, reaches parity 1.0, tags the artifact and emits events."""
    out = promote(fast_emu, store_url, repo=tmp_path / "repo", version="1.1.0", changelog="new")
    assert out["status"] == "succeeded", out.get("error")
    assert out["outcome"] == "promoted"
    assert out["parity"]["score"] == 1.0, out["parity"]["differences"]
    effects = [r["effect"] for r in ledger(fast_emu, "prod") if r["effect"]]
    assert effects.count("cognigy.package.merge") == 1
    with Store.open(store_url) as st:
        assert st.audit.verify().ok
        types = [e.type for e in st.outbox.events()]
        assert types == ["flow.promote.started", "flow.promote.completed"]
