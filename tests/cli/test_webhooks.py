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


def test_add_list_remove_and_add_again(
    tmp_path: Path,
    emu: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """add registers, list shows it with its variable and deliveries, remove drops what is
    pending and keeps the history, add again enables it: the next event is delivered."""
    monkeypatch.setenv(ENV, emu.ctx.config.webhook_secret)
    store = f"sqlite:///{tmp_path / 's.db'}"
    hook = f"{emu.url}/_emulator/webhooks/crud-{uuid.uuid4().hex[:6]}"
    assert main(["webhooks", "add", hook, "--secret-env", ENV, "--store", store]) == 0
    _emit(store, 2)
    assert main(["webhooks", "list", "--json", "--store", store]) == 0
    (row,) = json.loads(capsys.readouterr().out)["endpoints"]
    assert (row["url"], row["secret_env"], row["secret_set"], row["enabled"]) == (
        hook,
        ENV,
        True,
        True,
    )
    assert row["deliveries"]["pending"] == 2
    assert main(["webhooks", "remove", hook, "--store", store]) == 0
    assert "2 pending deliveries dropped" in capsys.readouterr().err
    _emit(store, 1)  # while removed: no delivery is created for it
    assert main(["webhooks", "list", "--store", store]) == 0
    assert "disabled (removed by the user)" in capsys.readouterr().out
    assert main(["webhooks", "add", hook, "--secret-env", ENV, "--store", store]) == 0
    _emit(store, 1)
    assert main(["webhooks", "deliver", "--json", "--store", store]) == 0
    doc = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert doc["report"]["delivered"] == 1
    assert doc["deliveries"] == {"pending": 0, "delivered": 1, "dead": 0, "disabled": 2}
    assert len(httpx.get(hook).json()["events"]) == 1


def test_registering_with_an_unset_or_bad_secret_is_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unset (or non-whsec_) secret variable is exit 2 when registering, and nothing is kept."""
    store = f"sqlite:///{tmp_path / 's.db'}"
    monkeypatch.delenv("CXOPS_TEST_UNSET", raising=False)
    add = ["webhooks", "add", "https://ci.example/hook", "--store", store]
    assert main([*add, "--secret-env", "CXOPS_TEST_UNSET"]) == 2
    assert "CXOPS_TEST_UNSET" in capsys.readouterr().err
    monkeypatch.setenv("CXOPS_TEST_BAD", "not-a-secret!")
    assert main([*add, "--secret-env", "CXOPS_TEST_BAD"]) == 2
    deliver = ["webhooks", "deliver", "--store", store, "--webhook", "https://ci.example/hook"]
    assert main([*deliver, "--webhook-secret-env", "CXOPS_TEST_UNSET"]) == 2
    assert main(["webhooks", "list", "--json", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["endpoints"] == []
    assert main(["webhooks", "remove", "https://ci.example/hook", "--store", store]) == 2
