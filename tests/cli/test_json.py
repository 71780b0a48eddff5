"""Every command under --json (issue #16): exactly one JSON document on stdout, on success and on
each kind of error: usage (exit 2), configuration or credentials (2), a failing vendor (3),
findings or a failed gate (1) where the command has them.

Commands run in-process through the one error handler (``cxops.cli.main.main``), against the
emulator over real HTTP (one server for the session, reset per test) and real SQLite stores.
A success is any document that is not the error document; an error is ``{"error", "hint",
"exit"}`` with ``exit`` equal to the exit code.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.model.bundle import Bundle
from cxops.model.layout import bundle_files, pretty_bytes
from cxops.pipelines.engine import shutdown
from tests.analysis.bundles import bundle, flawed_bundle, menu_flow
from tests.cli.test_common import leaf_commands
from tests.pipelines.compile.conn import cli_args
from tests.pipelines.promote.profiles import write_profiles

SMALL = "Flawed - Flow Cycle"  # a small Cognigy project with a deliberate cycle (error findings)
ERROR_KEYS = {"error", "hint", "exit"}


@dataclass
class Ctx:
    """What a case builds its command line from."""

    emu: EmulatorThread
    tmp: Path
    monkeypatch: pytest.MonkeyPatch

    @property
    def store(self) -> str:
        return f"sqlite:///{self.tmp / 'state.db'}"

    def cognigy(self, key: str | None = None) -> list[str]:
        info = httpx.get(f"{self.emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
        return ["--vendor", "cognigy", "--base-url", info["base_url"],
                "--api-key", key or info["credentials"]["readonly"]["api_key"],
                "--rate", "5000", "--concurrency", "32"]  # fmt: skip

    def key(self, role: str) -> str:
        info = httpx.get(f"{self.emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
        return str(info["credentials"][role]["api_key"])

    def fail_vendor(self, vendor: str) -> None:
        """Every request to this vendor answers 503 (after retries: exit 3)."""
        rule = {"vendor": vendor, "path": "*", "action": "error", "status": 503}
        self.emu.ctx.faults.load(Scenario.parse({"faults": [rule]}))

    def bundle_file(self, flawed: bool = False) -> Path:
        path = self.tmp / ("flawed.json" if flawed else "clean.json")
        doc = flawed_bundle() if flawed else bundle([menu_flow()])
        path.write_bytes(pretty_bytes(doc))
        return path

    def repo(self) -> Path:
        root = self.tmp / "bundles"
        for rel, data in bundle_files(Bundle.model_validate(bundle([menu_flow()]))).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        return root

    def export(self) -> str:
        """Export the small project into a store; the run id."""
        args = ["export", *self.cognigy(), "--project", SMALL, "--repo", str(self.tmp / "r")]
        assert main([*args, "--store", self.store, "--json", "--quiet"]) == 1
        return str(json.loads(self.emu_out())["run"])

    def profiles(self) -> None:
        self.emu.ctx.clock.set_speed(200)
        for var, value in write_profiles(self.emu, self.tmp, "cognigy").items():
            self.monkeypatch.setenv(var, value)
        self.monkeypatch.chdir(self.tmp)

    def keys(self) -> Path:
        private = self.tmp / "audit.pem"
        assert main(["audit", "keygen", "--private-key", str(private),
                     "--public-key", str(self.tmp / "audit.pub")]) == 0  # fmt: skip
        return private

    def emu_out(self) -> str:  # replaced per test by the capture fixture
        raise NotImplementedError


Case = Callable[[Ctx], list[str]]


def _promote(c: Ctx, *extra: str) -> list[str]:
    c.profiles()
    return ["promote", "--from", "dev", "--to", "prod", "--store", c.store, "--rate", "5000",
            "--concurrency", "32", *extra]  # fmt: skip


def _tampered_store(c: Ctx) -> list[str]:
    c.export()
    with sqlite3.connect(c.tmp / "state.db") as db:  # an attacker with the file drops the guard
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("UPDATE audit SET subject = 'someone else' WHERE seq = 1")
    return ["audit", "verify", "--store", c.store]


def _failing_delivery(c: Ctx) -> list[str]:
    """An endpoint answering 410 Gone and one event for it: the pass disables it (exit 1)."""
    from cxops.store import Store

    c.monkeypatch.setenv("HOOK_SECRET", c.emu.ctx.config.webhook_secret)
    hook = f"{c.emu.url}/_emulator/webhooks/gone-json"
    httpx.put(hook, json={"status": 410}).raise_for_status()
    with Store.open(c.store) as st:
        st.outbox.register(hook, "HOOK_SECRET")
        with st.transaction() as tx:
            tx.emit("flow.export.completed", {"n": 1})
    return ["webhooks", "deliver", "--store", c.store]


def _drifted_lock(c: Ctx) -> list[str]:
    root = c.repo()
    assert main(["lock", str(root)]) == 0
    lock = root / "cxops.lock"
    lock.write_text(lock.read_text().replace('hash = "', 'hash = "0', 1))
    return ["lock", "--check", str(root)]


#: command (as in leaf_commands) → kind of outcome → (case, exit code). Kinds: ok, usage,
#: config, vendor, found. A command without a kind cannot end that way (no vendor, no gate).
CASES: dict[str, dict[str, tuple[Case, int]]] = {
    "init": {
        "ok": (lambda c: ["init", "--path", str(c.tmp), "--vendor", "genesys,cxone"], 0),
        "usage": (lambda c: ["init", "--path", str(c.tmp), "--vendor", "avaya"], 2),
    },
    "doctor": {
        "ok": (lambda c: ["doctor", *c.cognigy(c.key("admin"))][:7], 0),
        "usage": (lambda c: ["doctor", "--vendor", "avaya"], 2),
        "config": (lambda c: ["doctor", "--vendor", "genesys", "--client-id", "x"], 2),
        "credentials": (lambda c: ["doctor", *c.cognigy("wrong-key-0000")][:7], 2),
        "vendor": (
            lambda c: [
                "doctor",
                "--vendor",
                "cognigy",
                "--base-url",
                "http://127.0.0.1:9",
                "--api-key",
                "k",
                "--timeout",
                "2",
            ],  # a port nobody listens on
            3,
        ),
        "found": (lambda c: ["doctor", *c.cognigy()][:7], 1),
    },
    "emulator": {
        "usage": (lambda c: ["emulator", "--port", "not-a-number"], 2),
        "config": (lambda c: ["emulator", "--port", "0", "--scenario", str(_bad_scenario(c))], 2),
    },
    "validate": {
        "ok": (lambda c: ["validate", str(c.bundle_file())], 0),
        "usage": (lambda c: ["validate", str(c.tmp / "missing")], 2),
        "found": (lambda c: ["validate", str(c.bundle_file(flawed=True))], 1),
    },
    "diff": {
        "ok": (lambda c: ["diff", str(c.bundle_file()), str(c.bundle_file(flawed=True))], 0),
        "usage": (lambda c: ["diff", "nosuchrev:flows", str(c.bundle_file())], 2),
    },
    "lock": {
        "ok": (lambda c: ["lock", str(c.repo())], 0),
        "usage": (lambda c: ["lock", str(c.tmp / "missing")], 2),
        "found": (_drifted_lock, 1),
    },
    "metrics": {
        "ok": (lambda c: ["metrics", "--store", c.store], 0),
        "usage": (lambda c: ["metrics", "--store", c.store, "--format", "prometheus"], 2),
        "config": (lambda c: ["metrics", "--store", "nosuchdb://x"], 2),
    },
    "runs list": {
        "ok": (lambda c: ["runs", "list", "--store", c.store], 0),
        "usage": (lambda c: ["runs", "list", "--limit", "0", "--store", c.store], 2),
        "config": (lambda c: ["runs", "list", "--store", "nosuchdb://x"], 2),
    },
    "runs show": {
        "ok": (lambda c: ["runs", "show", c.export(), "--store", c.store], 0),
        "usage": (lambda c: ["runs", "show", "0000nosuchrun", "--store", c.store], 2),
    },
    "runs resume": {
        "usage": (lambda c: ["runs", "resume", "0000nosuchrun", "--store", c.store], 2),
    },
    "runs cancel": {
        "ok": (lambda c: ["runs", "cancel", c.export(), "--store", c.store], 0),
        "usage": (lambda c: ["runs", "cancel", "0000nosuchrun", "--store", c.store], 2),
    },
    "runs approve": {
        "usage": (
            lambda c: ["runs", "approve", c.export(), "--reason", "x", "--store", c.store],
            2,
        ),
    },
    "runs reject": {
        "usage": (
            lambda c: ["runs", "reject", "0000nosuchrun", "--reason", "x", "--store", c.store],
            2,
        ),
    },
    "audit verify": {
        "ok": (lambda c: ["audit", "verify", "--store", c.store], 0),
        "usage": (lambda c: ["audit", "verify", "--repo", str(c.tmp), "--store", c.store], 2),
        "found": (_tampered_store, 1),
    },
    "audit head": {
        "ok": (lambda c: ["audit", "head", "--signing-key", str(c.keys()), "--store", c.store], 0),
        "config": (lambda c: ["audit", "head", "--store", c.store], 2),
    },
    "audit keygen": {
        "ok": (
            lambda c: [
                "audit",
                "keygen",
                "--private-key",
                str(c.tmp / "k.pem"),
                "--public-key",
                str(c.tmp / "k.pub"),
            ],
            0,
        ),
        "usage": (
            lambda c: [
                "audit",
                "keygen",
                "--private-key",
                str(c.bundle_file()),
                "--public-key",
                str(c.tmp / "k.pub"),
            ],
            2,
        ),
    },
    "audit show": {
        "ok": (lambda c: ["audit", "show", "--store", c.store], 0),
        "usage": (lambda c: ["audit", "show", "--jsonl", "--store", c.store], 2),
    },
    "webhooks list": {
        "ok": (lambda c: ["webhooks", "list", "--store", c.store], 0),
        "config": (lambda c: ["webhooks", "list", "--store", "nosuchdb://x"], 2),
    },
    "webhooks add": {
        "ok": (
            lambda c: _with_secret(
                c,
                [
                    "webhooks",
                    "add",
                    "https://ci.example/hook",
                    "--secret-env",
                    "HOOK_SECRET",
                    "--store",
                    c.store,
                ],
            ),
            0,
        ),
        "config": (
            lambda c: [
                "webhooks",
                "add",
                "https://ci.example/hook",
                "--secret-env",
                "UNSET_SECRET_VAR",
                "--store",
                c.store,
            ],
            2,
        ),
    },
    "webhooks remove": {
        "ok": (lambda c: _added(c, ["webhooks", "remove", "https://ci.example/hook"]), 0),
        "usage": (
            lambda c: ["webhooks", "remove", "https://nowhere.example/", "--store", c.store],
            2,
        ),
    },
    "webhooks deliver": {
        "ok": (lambda c: ["webhooks", "deliver", "--store", c.store], 0),
        "usage": (
            lambda c: ["webhooks", "deliver", "--webhook", "https://x.example", "--store", c.store],
            2,
        ),
        "found": (_failing_delivery, 1),
    },
    "export": {
        "ok": (
            lambda c: [
                "export",
                *c.cognigy(),
                "--project",
                "Appointment Booking",
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            0,
        ),
        "usage": (
            lambda c: [
                "export",
                *c.cognigy(),
                "--all",
                "--wait",
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            2,
        ),
        "config": (lambda c: ["export", "--all", "--repo", str(c.tmp / "r")], 2),
        "credentials": (
            lambda c: [
                "export",
                *c.cognigy("wrong-key-0000"),
                "--all",
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            2,
        ),
        "vendor": (
            lambda c: _failing(
                c,
                "cognigy",
                [
                    "export",
                    *c.cognigy(),
                    "--project",
                    SMALL,
                    "--repo",
                    str(c.tmp / "r"),
                    "--store",
                    c.store,
                    "--timeout",
                    "2",
                ],
            ),
            3,
        ),
        "found": (
            lambda c: [
                "export",
                *c.cognigy(),
                "--project",
                SMALL,
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            1,
        ),
    },
    "compile": {
        "ok": (
            lambda c: [
                "compile",
                *cli_args(c.emu, "cxone"),
                "--scripts",
                "Main\\IVR_Main",
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            0,
        ),
        "usage": (
            lambda c: [
                "compile",
                *cli_args(c.emu, "cognigy"),
                "--repo",
                str(c.tmp),
                "--store",
                c.store,
            ],
            2,
        ),
        "config": (lambda c: ["compile", "--all", "--store", c.store], 2),
        "vendor": (
            lambda c: _failing(
                c,
                "cxone",
                [
                    "compile",
                    *cli_args(c.emu, "cxone"),
                    "--scripts",
                    "Common\\Auth_PIN",
                    "--repo",
                    str(c.tmp),
                    "--store",
                    c.store,
                    "--timeout",
                    "2",
                ],
            ),
            3,
        ),
        "found": (
            lambda c: [
                "compile",
                *cli_args(c.emu, "cxone"),
                "--scripts",
                "Flawed\\Broken_Menu",
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            1,
        ),
    },
    "resolve": {
        "ok": (
            lambda c: [
                "resolve",
                *cli_args(c.emu, "genesys"),
                "--project",
                "Digital Channels",
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            0,
        ),
        "usage": (
            lambda c: [
                "resolve",
                *cli_args(c.emu, "genesys"),
                "--artifact-name",
                "x",
                "--store",
                c.store,
            ],
            2,
        ),
        "config": (lambda c: ["resolve", "--vendor", "genesys", "--store", c.store], 2),
        "vendor": (
            lambda c: _failing(
                c,
                "genesys",
                [
                    "resolve",
                    *cli_args(c.emu, "genesys"),
                    "--repo",
                    str(c.tmp / "r"),
                    "--store",
                    c.store,
                    "--timeout",
                    "2",
                ],
            ),
            3,
        ),
        "found": (
            lambda c: [
                "resolve",
                *cli_args(c.emu, "genesys"),
                "--repo",
                str(c.tmp / "r"),
                "--store",
                c.store,
            ],
            1,
        ),
    },
    "promote": {
        "ok": (lambda c: _promote(c, "--project", "Appointment Booking", "--dry-run"), 0),
        "usage": (lambda c: _promote(c, "--project", "Appointment Booking", "--gates", "nope"), 2),
        "config": (lambda c: ["promote", *_promote(c)[1:2], "nope", *_promote(c)[3:]], 2),
        "vendor": (
            lambda c: _failing(c, "cognigy", _promote(c, "--project", SMALL, "--dry-run")),
            3,
        ),
        "found": (  # the validation gate blocks a project with a cycle: a dry run that would block
            lambda c: _promote(
                c, "--project", SMALL, "--target-project", "Appointment Booking", "--dry-run"
            ),
            1,
        ),
    },
    "serve": {
        "usage": (lambda c: ["serve", "--port", "http", "--store", c.store], 2),
        "config": (lambda c: ["serve", "--host", "0.0.0.0", "--store", c.store], 2),
        "credentials": (lambda c: ["serve", "--token-env", "UNSET_TOKEN", "--store", c.store], 2),
    },
    "worker": {
        "usage": (lambda c: ["worker", "--queues", "export,nope", "--store", c.store], 2),
        "config": (lambda c: ["worker", "--store", c.store], 2),
    },
    "workers list": {
        "usage": (lambda c: ["workers", "list", "--store", c.store], 2),
    },
    "fleet export": {
        "usage": (lambda c: ["fleet", "export", "--repos", str(c.tmp), "--store", c.store], 2),
        "config": (
            lambda c: [
                "fleet",
                "export",
                "--profiles",
                "a",
                "--repos",
                str(c.tmp),
                "--store",
                c.store,
            ],
            2,
        ),
    },
}


def _bad_scenario(c: Ctx) -> Path:
    bad = c.tmp / "bad.yaml"
    bad.write_text("faults:\n  - {action: melt}\n")
    return bad


def _with_secret(c: Ctx, argv: list[str]) -> list[str]:
    c.monkeypatch.setenv("HOOK_SECRET", c.emu.ctx.config.webhook_secret)
    return argv


def _added(c: Ctx, argv: list[str]) -> list[str]:
    _with_secret(c, [])
    add = ["webhooks", "add", "https://ci.example/hook", "--secret-env", "HOOK_SECRET"]
    assert main([*add, "--store", c.store]) == 0
    return [*argv, "--store", c.store]


def _failing(c: Ctx, vendor: str, argv: list[str]) -> list[str]:
    c.fail_vendor(vendor)
    return argv


def _params() -> Iterator[Any]:
    for name, kinds in CASES.items():
        for kind, (case, code) in kinds.items():
            yield pytest.param(kind, case, code, id=f"{name}-{kind}")


@pytest.fixture
def ctx(
    emu: EmulatorThread,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Ctx]:
    c = Ctx(emu, tmp_path, monkeypatch)
    c.emu_out = lambda: capsys.readouterr().out  # type: ignore[method-assign]
    yield c
    shutdown()  # the engine some commands launched (DBOS) belongs to this test's store


def test_every_command_has_json_cases() -> None:
    """Each command a user can run has its --json cases here, a usage error at least."""
    names = {" ".join(leaf) for leaf in leaf_commands()}
    assert names == set(CASES)
    assert all("usage" in kinds or "config" in kinds for kinds in CASES.values())


@pytest.mark.parametrize(("kind", "case", "code"), list(_params()))
def test_json_is_one_document_on_success_and_on_each_error(
    kind: str, case: Case, code: int, ctx: Ctx, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cxops CMD ... --json`: the exit code of the case, and stdout is exactly one JSON
    document: the command's own on success or findings; on an error {"error", "hint", "exit"}
    (or the command's own report of what failed, such as an export's per-project summary)."""
    argv = case(ctx)
    capsys.readouterr()  # what the case's setup printed
    got = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert got == code, (out, err)
    doc = json.loads(out)  # exactly one document: trailing text or a second one fails here
    assert isinstance(doc, dict | list), out
    is_error = isinstance(doc, dict) and set(doc) == ERROR_KEYS
    if kind in ("ok", "found"):
        assert not is_error, doc
    if is_error:
        assert doc["exit"] == code and doc["error"], doc
        assert f"error: {doc['error']}" in err  # the people reading stderr see it too


@pytest.mark.parametrize("command", ["emulator", "serve"])
def test_servers_print_one_document_once_listening(command: str, tmp_path: Path) -> None:
    """`cxops emulator|serve --port 0 --json` prints one JSON document (where it listens) as
    its first line of stdout, then serves; the URL answers."""
    argv = [sys.executable, "-m", "cxops", command, "--port", "0", "--json"]
    if command == "serve":
        argv += ["--store", f"sqlite:///{tmp_path / 's.db'}"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        doc = json.loads(proc.stdout.readline())
        assert httpx.get(str(doc["url"]).rstrip("/") + "/", timeout=30).status_code < 500
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
