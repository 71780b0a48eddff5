"""``make demo``'s promotion part against the emulator: a promotion to parity 1.0, a promotion
whose verification fails (injected) rolled back to identical content, webhooks, DORA figures."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from cxops import demo
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from cxops.sinks.metrics import collect
from cxops.store import Store


def test_demo_promotes_then_rolls_back_and_counts_it(
    emu: EmulatorThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Promoted with parity 1.0; rolled back, identical; 2 deployments, change failure 0.5."""
    for var in ("CXOPS_STORE_URL", demo.SECRET_ENV, *demo.KEY_ENV.values()):
        monkeypatch.setenv(var, "")  # restored after the test (the demo sets them)
    store_url = f"sqlite:///{tmp_path / 'state.db'}"
    out = io.StringIO()
    try:
        got = demo.promote_part(
            Console(file=out, width=120), emu, store_url, tmp_path / "work", "release"
        )
    finally:
        shutdown()
    text = out.getvalue()
    first, second = got["promoted"], got["rolled_back"]
    assert first["outcome"] == "promoted", first.get("error")
    assert first["parity"]["score"] == 1.0 and first["artifact"]["tag"] == "1.1.0"
    assert second["outcome"] == "rolled_back" and second["error"].startswith("verify")
    rb = second["rollback"]
    assert rb["identical"] is True and rb["target_hash_before"] == rb["target_hash_restored"]
    assert "INJECTED FAILURE" in text and "identical: True" in text
    assert demo.promoted_as_expected(got)
    types = [e["payload"]["type"] for e in got["webhooks"]["events"]]
    assert types == [
        "flow.promote.started",
        "flow.promote.completed",
        "flow.promote.started",
        "flow.promote.rolled_back",
    ]
    assert got["webhooks"]["rejected"] == 0
    # The injected fault is gone afterwards: the emulator is left as the demo found it.
    assert httpx.get(f"{emu.url}/_emulator/scenario").json().get("faults", []) == []
    with Store.open(store_url) as st:
        dora = collect(st).dora
    assert (dora.deployments, dora.failed, dora.change_failure_rate) == (2, 1, 0.5)
    assert dora.time_to_restore_p50 is not None and dora.time_to_restore_p50 > 0
