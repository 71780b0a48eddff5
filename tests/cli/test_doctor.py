"""``cxops doctor`` against the emulator (read-only and admin credentials of each vendor, over
real HTTP) and against independent stubs that drop a field cxops reads."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.emulator.tokens import Credential
from cxops.pipelines.doctor import diagnose
from cxops.transport import resolve_connection
from tests.contract.cxone.stub import StubTenant, create_stub
from tests.vendors.genesys_stub import StubServer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                Awaitable[None]]  # fmt: skip


def _flags(emu: EmulatorThread, vendor: str, who: str) -> list[str]:
    base = emu.base(vendor, "dev")
    if vendor == "cognigy":
        return ["--vendor", "cognigy", "--base-url", base, "--api-key",
                f"cognigy-dev-{who}-apikey"]  # fmt: skip
    if vendor == "genesys":
        return ["--vendor", "genesys", "--base-url", base, "--auth-url", base, "--client-id",
                f"genesys-dev-{who}", "--client-secret", f"genesys-dev-{who}-secret"]  # fmt: skip
    return ["--vendor", "cxone", "--base-url", base, "--auth-url", base, "--client-id",
            "cxone-dev-app", "--client-secret", "cxone-dev-app-secret", "--access-key-id",
            f"cxone-dev-{who}-key", "--access-key-secret",
            f"cxone-dev-{who}-key-secret"]  # fmt: skip


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def _status(report: dict[str, Any], kind: str) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"] if c["kind"] == kind}


@pytest.mark.parametrize(
    ("vendor", "missing", "present"),
    [
        ("genesys", {"architect:job:create", "architect:flow:publish", "architect:flow:delete",
                     "architect:jobValidate:create"}, {"architect:flow:view"}),
        ("cognigy", {"snapshots:create", "packages:create", "flows:update",
                     "role projectAdmin", "analyticsOdata:read"}, {"flows:read"}),
    ],
)  # fmt: skip
def test_readonly_names_what_is_missing_and_admin_passes(
    emu: EmulatorThread,
    capsys: pytest.CaptureFixture[str],
    vendor: str,
    missing: set[str],
    present: set[str],
) -> None:
    """Read-only credentials: exit 1, each write permission named missing with what to grant,
    the reads ok; admin: exit 0; the text output names the missing permission too."""
    code, report = _run(_flags(emu, vendor, "readonly"), capsys)
    assert code == 1 and report["exit"] == 1
    perms = _status(report, "permission")
    assert {p for p, s in perms.items() if s == "missing"} >= missing
    assert all(perms[p] == "ok" for p in present)
    grants = {c["name"]: c.get("grant", "") for c in report["checks"]}
    assert all(grants[p] for p in missing)
    fields = _status(report, "fields")
    assert fields and set(fields.values()) == {"ok"}, fields
    code, report = _run(_flags(emu, vendor, "admin"), capsys)
    assert code == 0, [c for c in report["checks"] if c["status"] != "ok"]
    assert set(_status(report, "permission").values()) == {"ok"}
    assert main(["doctor", *_flags(emu, vendor, "readonly")]) == 1
    text = capsys.readouterr().out
    assert "MISSING" in text and sorted(missing)[0] in text


def test_cxone_probes_reads_and_leaves_writes_unchecked(
    emu: EmulatorThread, capsys: pytest.CaptureFixture[str]
) -> None:
    """CXone lists no permissions: viewing is probed (a key without it: exit 1, named), saving
    and deleting are 'unchecked' and do not fail the admin or the read-only key."""
    for who in ("admin", "readonly"):
        code, report = _run(_flags(emu, "cxone", who), capsys)
        perms = _status(report, "permission")
        assert code == 0 and perms["view scripts"] == "ok", report
        assert perms["save scripts"] == perms["delete scripts"] == "unchecked"
    emu.ctx.tokens.register(
        Credential("cxone", "dev", "nothing", "cxone-dev-app", "cxone-dev-app-secret",
                   frozenset(), access_key_id="cxone-dev-nothing-key",
                   access_key_secret="cxone-dev-nothing-key-secret")
    )  # fmt: skip
    code, report = _run(_flags(emu, "cxone", "nothing"), capsys)
    assert code == 1
    assert _status(report, "permission")["view scripts"] == "missing"
    assert any(c["status"] == "denied" and c["http_status"] == 403 for c in report["checks"])


def test_refused_credentials_exit_2_and_no_vendor_exit_3(
    emu: EmulatorThread, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong API key is an auth failure (exit 2); a port nobody listens on is exit 3."""
    base = emu.base("cognigy", "dev")
    code, report = _run(["--vendor", "cognigy", "--base-url", base, "--api-key", "wrong"], capsys)
    assert code == 2 and _status(report, "auth") == {"api_key": "failed"}
    dead = ["--vendor", "cognigy", "--base-url", "http://127.0.0.1:9", "--api-key", "k",
            "--timeout", "3"]  # fmt: skip
    code, report = _run(dead, capsys)
    assert code == 3 and set(_status(report, "reach").values()) == {"failed"}


def dropping(suffix: str, field: str) -> Callable[[ASGI], ASGI]:
    """ASGI middleware: the JSON answer of any path ending in ``suffix`` loses ``field`` (from
    each element of ``entities`` / ``scriptSearchDetails`` when the answer is a listing)."""

    def wrap(app: ASGI) -> ASGI:
        async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or not scope["path"].endswith(suffix):
                await app(scope, receive, send)
                return
            start: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = json.loads(b"".join(chunks))
                for key in ("entities", "scriptSearchDetails"):
                    for row in body.get(key, []) if isinstance(body, dict) else []:
                        row.pop(field, None)
                if isinstance(body, dict):
                    body.pop(field, None)
                data = json.dumps(body).encode()
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                await send(
                    {**start, "headers": [*headers, (b"content-length", str(len(data)).encode())]}
                )
                await send({"type": "http.response.body", "body": data})

            await app(scope, receive, capture)

        return wrapped

    return wrap


def test_genesys_stub_dropping_a_field_names_route_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An independent Genesys org whose version listing lacks ``id``: doctor names the route
    and the field, exits 1, and the report file holds paths and types, no values."""
    intact: list[str] = []
    with StubServer() as stub:
        code, report = _run([*stub.flags(), *intact], capsys)
    assert code == 0, [c for c in report["checks"] if c["status"] not in ("ok", "unchecked")]
    out = tmp_path / "doctor.json"
    with StubServer(wrap=dropping("/versions", "id")) as stub:  # type: ignore[arg-type]
        code = main(["doctor", *stub.flags(), *intact, "--report", str(out)])
    assert code == 1
    text = capsys.readouterr().out
    assert "GET /api/v2/flows/{flowId}/versions: 'entities[0].id' is missing" in text
    saved = json.loads(out.read_text(encoding="utf-8"))
    bad = [c for c in saved["checks"] if c["status"] == "missing"]
    assert [c["name"] for c in bad] == ["GET /api/v2/flows/{flowId}/versions"]
    assert bad[0]["problems"] == [{"route": "GET /api/v2/flows/{flowId}/versions",
                                   "field": "entities[0].id", "expected": ["string"],
                                   "found": "missing"}]  # fmt: skip
    assert saved["vendor"] == "genesys" and saved["cxops"] and saved["format"] == "cxops.doctor/1"
    raw = out.read_text(encoding="utf-8")
    assert "stub-secret" not in raw and stub.url not in raw and "Support" not in raw


async def test_cxone_stub_dropping_a_field_names_route_and_field() -> None:
    """An independent CXone business unit whose script answer lacks ``header``: the route and
    the field are named and the exit code is 1."""
    tenant = StubTenant()
    tenant.put({"header": {"scriptName": "Billing\\Main"}, "actions": {}, "properties": {},
                "branches": {}})  # fmt: skip
    settings = resolve_connection({
        "vendor": "cxone", "base_url": tenant.base, "auth_url": tenant.base,
        "client_id": "c", "client_secret": "s", "access_key_id": "a", "access_key_secret": "b",
    })  # fmt: skip
    app = dropping("/scripts", "header")(create_stub(tenant))  # type: ignore[arg-type]
    report = await diagnose(settings, transport=httpx.ASGITransport(app=app))  # type: ignore[arg-type]
    assert report.exit_code == 1
    bad = [p.describe() for c in report.checks for p in c.problems]
    assert bad == ["GET /inContactAPI/services/v31.0/scripts?scriptPath=: 'header' is missing "
                   "(expected object)"]  # fmt: skip


def test_config_error_as_json_and_the_text_report_to_a_file(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A profile without a base URL is exit 2, as the one JSON error document with --json;
    -o FILE writes the text report to FILE (and one line on stderr says so)."""
    assert main(["doctor", "--vendor", "genesys", "--client-id", "x", "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit"] == 2 and doc["error"]
    out = tmp_path / "doctor.txt"
    assert main(["doctor", *_flags(emu, "cognigy", "admin"), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and str(out) in captured.err
    text = out.read_text(encoding="utf-8")
    assert "ready: every check passed" in text and "GET /new/v2.0/flows/{flowId}/chart" in text


def test_a_profile_of_cxops_toml_and_no_secret_in_the_report(
    emu: EmulatorThread,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--profile dev`` of a cxops.toml (secrets as env: references) passes with the admin
    client; neither the secret nor the URL reaches the screen or the report."""
    from tests.pipelines.promote.profiles import write_profiles

    env = write_profiles(emu, tmp_path, "genesys")
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "doctor.json"
    assert main(["doctor", "--profile", "dev", "--report", str(report)]) == 0
    captured = capsys.readouterr()
    saved = report.read_text(encoding="utf-8")
    for secret in env.values():
        assert secret not in captured.out + captured.err + saved
    assert emu.base("genesys", "dev") not in saved
    assert json.loads(saved)["exit"] == 0


def test_cognigy_odata_key_of_the_sessions_gate(
    emu: EmulatorThread, capsys: pytest.CaptureFixture[str]
) -> None:
    """With odata_url, the OData Sessions answer is read and checked and its key's permission
    is a line: a valid key passes, a refused one is missing (exit 1) and never printed."""
    odata = f"{emu.base('cognigy', 'dev')}/odata"
    admin = [*_flags(emu, "cognigy", "admin"), "--odata-url", odata]
    code, report = _run([*admin, "--odata-key", "cognigy-dev-admin-apikey"], capsys)
    assert code == 0
    assert _status(report, "fields")["GET {odata_url}/v2.3/Sessions"] in ("ok", "skipped")
    assert _status(report, "permission")["odata_key: OData Sessions"] == "ok"
    code, report = _run([*admin, "--odata-key", "not-a-key-of-this-tenant"], capsys)
    assert code == 1
    assert _status(report, "permission")["odata_key: OData Sessions"] == "missing"
    assert "not-a-key-of-this-tenant" not in json.dumps(report)
