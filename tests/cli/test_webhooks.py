"""``cxops webhooks deliver``: drains the outbox to the emulator's verifying receiver."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.store import Store

ENV = "CXOPS_TEST_HOOK_SECRET"


def _emit(url: str, n: int) -> None:
    with Store.open(url) as st:
        for i in range(n):
            with st.transaction() as tx:
                tx.emit("flow.export.completed", {"n": i})


def test_deliver_registers_and_drains(
    tmp_path: Path,
    emu: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--webhook registers the endpoint; events emitted after are delivered, signed; exit 0."""
    secret = emu.ctx.config.webhook_secret
    monkeypatch.setenv(ENV, secret)
    store = f"sqlite:///{tmp_path / 's.db'}"
    hook = f"{emu.url}/_emulator/webhooks/cli-{uuid.uuid4().hex[:6]}"
    args = ["webhooks", "deliver", "--json", "--store", store]
    assert main([*args, "--webhook", hook, "--webhook-secret-env", ENV]) == 0
    _emit(store, 3)
    assert main(args) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out.splitlines()[-1])
    assert doc["report"]["delivered"] == 3 and doc["deliveries"]["delivered"] == 3
    shown = httpx.get(hook).json()
    assert len(shown["events"]) == 3 and shown["rejected"] == 0
    assert secret not in out + err


def test_deliver_reports_failures_with_exit_1(
    tmp_path: Path,
    emu: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An endpoint answering 410 is disabled and the pass exits 1; flags go in pairs (exit 2)."""
    monkeypatch.setenv(ENV, emu.ctx.config.webhook_secret)
    store = f"sqlite:///{tmp_path / 's.db'}"
    hook = f"{emu.url}/_emulator/webhooks/gone-{uuid.uuid4().hex[:6]}"
    httpx.put(hook, json={"status": 410}).raise_for_status()
    with Store.open(store) as st:
        st.outbox.register(hook, ENV)
    _emit(store, 2)
    assert main(["webhooks", "deliver", "--store", store]) == 1
    assert "disabled" in capsys.readouterr().out
    with Store.open(store) as st:
        assert st.outbox.counts()["disabled"] == 2
    assert main(["webhooks", "deliver", "--webhook", hook, "--store", store]) == 2
