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
import shlex
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

HOOK = "https://ci.example/hook"
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

    def argv(self, template: str) -> list[str]:
        """A command line from a template: {tmp} {store} {out} (--repo and --store) {run} (an
        export's run id) {keys} (a signing key) {hook} (an endpoint, its secret set) {small}
        {dead} (a port nobody listens on) {cognigy[:admin|:wrong]} {cxone} {genesys} (a tenant's
        flags) {fast} (--rate, --concurrency) {promote[:SOURCE]} (profiles dev and prod)
        {fail:VENDOR} (every request to the vendor answers 503; CXOPS_TIMEOUT=2)."""
        argv: list[str] = []
        for word in shlex.split(template):
            if not (word.startswith("{") and word.endswith("}")):
                argv.append(word.replace("{tmp}", str(self.tmp)))
                continue
            name, _, arg = word[1:-1].partition(":")
            argv += self.expand(name, arg)
        return argv

    def expand(self, name: str, arg: str) -> list[str]:
        if name in ("cxone", "genesys"):
            return cli_args(self.emu, name)
        if name == "cognigy":
            key = {"admin": self.key("admin"), "wrong": "wrong-key-0000"}.get(arg)
            return self.cognigy(key)[:6]  # the connection flags alone
        if name == "fail":
            self.fail_vendor(arg)
            self.monkeypatch.setenv("CXOPS_TIMEOUT", "2")  # promote has no --timeout flag
            return []
        if name == "promote":
            self.profiles()
            return ["promote", "--from", arg or "dev", "--to", "prod", "--store", self.store,
                    "--rate", "5000", "--concurrency", "32"]  # fmt: skip
        if name == "hook":
            self.monkeypatch.setenv("HOOK_SECRET", self.emu.ctx.config.webhook_secret)
        simple = {
            "tmp": lambda: [str(self.tmp)],
            "store": lambda: ["--store", self.store],
            "out": lambda: ["--repo", str(self.tmp / "r"), "--store", self.store],
            "run": lambda: [self.export()],
            "keys": lambda: [str(self.keys())],
            "hook": lambda: [HOOK],
            "small": lambda: [SMALL],
            "fast": lambda: ["--rate", "5000", "--concurrency", "32"],
            "dead": lambda: ["http://127.0.0.1:9"],
        }
        return simple[name]()

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
#: config, credentials, vendor, found. A command without a kind cannot end that way (no vendor,
#: no gate). A case is a command line (see Ctx.argv for its {placeholders}) or a function that
#: prepares what the command needs and returns the command line.
CASES: dict[str, dict[str, tuple[str | Case, int]]] = {
    "init": {
        "ok": ("init --path {tmp} --vendor genesys,cxone", 0),
        "usage": ("init --path {tmp} --vendor avaya", 2),
    },
    "doctor": {
        "ok": ("doctor {cognigy:admin}", 0),
        "usage": ("doctor --vendor avaya", 2),
        "config": ("doctor --vendor genesys --client-id x", 2),
        "credentials": ("doctor {cognigy:wrong}", 2),
        "vendor": ("doctor --vendor cognigy --base-url {dead} --api-key k --timeout 2", 3),
        "found": ("doctor {cognigy}", 1),
    },
    "emulator": {
        "usage": ("emulator --port not-a-number", 2),
        "config": (lambda c: ["emulator", "--port", "0", "--scenario", str(_bad_scenario(c))], 2),
    },
    "validate": {
        "ok": (lambda c: ["validate", str(c.bundle_file())], 0),
        "usage": ("validate {tmp}/missing", 2),
        "found": (lambda c: ["validate", str(c.bundle_file(flawed=True))], 1),
    },
    "diff": {
        "ok": (lambda c: ["diff", str(c.bundle_file()), str(c.bundle_file(flawed=True))], 0),
        "usage": (lambda c: ["diff", "nosuchrev:flows", str(c.bundle_file())], 2),
    },
    "lock": {
        "ok": (lambda c: ["lock", str(c.repo())], 0),
        "usage": ("lock {tmp}/missing", 2),
        "found": (_drifted_lock, 1),
    },
    "metrics": {
        "ok": ("metrics {store}", 0),
        "usage": ("metrics {store} --format prometheus", 2),
        "config": ("metrics --store nosuchdb://x", 2),
    },
    "runs list": {
        "ok": ("runs list {store}", 0),
        "usage": ("runs list --limit 0 {store}", 2),
        "config": ("runs list --store nosuchdb://x", 2),
    },
    "runs show": {
        "ok": ("runs show {run} {store}", 0),
        "usage": ("runs show 0000nosuchrun {store}", 2),
    },
    "runs resume": {"usage": ("runs resume 0000nosuchrun {store}", 2)},
    "runs cancel": {
        "ok": ("runs cancel {run} {store}", 0),  # a run that ended: left as it is
        "usage": ("runs cancel 0000nosuchrun {store}", 2),
    },
    "runs approve": {"usage": ("runs approve {run} --reason x {store}", 2)},  # not a promotion
    "runs reject": {"usage": ("runs reject 0000nosuchrun --reason x {store}", 2)},
    "audit verify": {
        "ok": ("audit verify {store}", 0),
        "usage": ("audit verify --repo {tmp} {store}", 2),  # not a git repository
        "found": (_tampered_store, 1),
    },
    "audit head": {
        "ok": ("audit head --signing-key {keys} {store}", 0),
        "config": ("audit head {store}", 2),  # no signing key
    },
    "audit keygen": {
        "ok": ("audit keygen --private-key {tmp}/k.pem --public-key {tmp}/k.pub", 0),
        "usage": ("audit keygen --private-key {tmp} --public-key {tmp}/k.pub", 2),  # exists
    },
    "audit show": {
        "ok": ("audit show {store}", 0),
        "usage": ("audit show --jsonl {store}", 2),  # and --json: two formats
    },
    "webhooks list": {
        "ok": ("webhooks list {store}", 0),
        "config": ("webhooks list --store nosuchdb://x", 2),
    },
    "webhooks add": {
        "ok": ("webhooks add {hook} --secret-env HOOK_SECRET {store}", 0),
        "config": ("webhooks add {hook} --secret-env UNSET_SECRET_VAR {store}", 2),
    },
    "webhooks remove": {
        "ok": (lambda c: _added(c, ["webhooks", "remove", HOOK]), 0),
        "usage": ("webhooks remove https://nowhere.example/ {store}", 2),
    },
    "webhooks deliver": {
        "ok": ("webhooks deliver {store}", 0),
        "usage": ("webhooks deliver --webhook https://x.example {store}", 2),  # without a secret
        "found": (_failing_delivery, 1),
    },
    "export": {
        "ok": ("export {cognigy} {fast} --project 'Appointment Booking' {out}", 0),
        "usage": ("export {cognigy} --all --wait {out}", 2),  # --wait without --enqueue
        "config": ("export --all --repo {tmp}/r", 2),  # no vendor
        "credentials": ("export {cognigy:wrong} {fast} --all {out}", 2),
        "vendor": ("export {cognigy} {fast} --project {small} {out} {fail:cognigy}", 3),
        "found": ("export {cognigy} {fast} --project {small} {out}", 1),
    },
    "compile": {
        "ok": ("compile {cxone} --scripts 'Main\\IVR_Main' {out}", 0),
        "usage": ("compile {cognigy} {out}", 2),  # Cognigy has no compile
        "config": ("compile --all {store}", 2),
        "vendor": ("compile {cxone} --scripts 'Common\\Auth_PIN' {out} {fail:cxone}", 3),
        "found": ("compile {cxone} --scripts 'Flawed\\Broken_Menu' {out}", 1),
    },
    "resolve": {
        "ok": ("resolve {genesys} --project 'Digital Channels' {out}", 0),
        "usage": ("resolve {genesys} --artifact-name x {store}", 2),  # without --registry
        "config": ("resolve --vendor genesys {store}", 2),
        "vendor": ("resolve {genesys} {out} {fail:genesys}", 3),
        "found": ("resolve {genesys} {out}", 1),  # the fixtures' cycles
    },
    "promote": {
        "ok": ("{promote} --project 'Appointment Booking' --dry-run", 0),
        "usage": ("{promote} --project 'Appointment Booking' --gates nope", 2),
        "config": ("{promote:nope} --project 'Appointment Booking'", 2),  # no such profile
        "vendor": ("{promote} --project {small} --dry-run {fail:cognigy}", 3),
        # the validation gate blocks a project with a cycle: a dry run that would block
        "found": (
            "{promote} --project {small} --target-project 'Appointment Booking' --dry-run",
            1,
        ),
    },
    "serve": {
        "usage": ("serve --port http {store}", 2),
        "config": ("serve --host 0.0.0.0 {store}", 2),  # off loopback without a token
        "credentials": ("serve --token-env UNSET_TOKEN {store}", 2),
    },
    "worker": {
        "usage": ("worker --queues export,nope {store}", 2),
        "config": ("worker {store}", 2),  # SQLite: workers need PostgreSQL
    },
    "workers list": {"usage": ("workers list {store}", 2)},
    "fleet export": {
        "usage": ("fleet export --repos {tmp} {store}", 2),  # no --profiles
        "config": ("fleet export --profiles a --repos {tmp} {store}", 2),
    },
}


def _bad_scenario(c: Ctx) -> Path:
    bad = c.tmp / "bad.yaml"
    bad.write_text("faults:\n  - {action: melt}\n")
    return bad


def _added(c: Ctx, argv: list[str]) -> list[str]:
    add = c.argv("webhooks add {hook} --secret-env HOOK_SECRET {store}")
    assert main(add) == 0
    return [*argv, "--store", c.store]


def _params() -> Iterator[Any]:
    for name, kinds in CASES.items():
        for kind, (case, code) in kinds.items():
            yield pytest.param(kind, case, code, id=f"{name}-{kind}")


def _argv(case: str | Case, c: Ctx) -> list[str]:
    return c.argv(case) if isinstance(case, str) else case(c)


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
    kind: str, case: str | Case, code: int, ctx: Ctx, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cxops CMD ... --json`: the exit code of the case, and stdout is exactly one JSON
    document: the command's own on success or findings; on an error {"error", "hint", "exit"}
    (or the command's own report of what failed, such as an export's per-project summary)."""
    argv = _argv(case, ctx)
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


def test_summaries_go_to_output_files_too(ctx: Ctx, capsys: pytest.CaptureFixture[str]) -> None:
    """export -o FILE --json and runs show ID -o FILE: stdout stays empty, the file holds what
    stdout would have, one stderr line names it."""
    report, shown = ctx.tmp / "export.json", ctx.tmp / "run.txt"
    code = main([*ctx.argv("export {cognigy} {fast} --project {small} {out} --json -q"),
                 "-o", str(report)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1 and out == ""  # the project's cycle: error findings
    assert f"wrote {report} (json, {report.stat().st_size} bytes)" in err
    run = json.loads(report.read_text())["run"]
    assert main(["runs", "show", run, "--store", ctx.store, "-o", str(shown)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and f"wrote {shown} (text" in err
    text = shown.read_text()
    assert run in text and "\x1b[" not in text
