"""Secret canaries: no secret reaches stdout, stderr, logs, crash files, the store or the repo.

Every command runs at ``--log-level debug`` (tracebacks included) through the CLI's one error
handler, on success and failure paths, with secrets given as flags, through profiles (``env:``
references), in the environment and inside URLs (``user:password@``). Afterwards every byte
cxops could have written is searched: captured stdout and stderr (where logs go), crash logs,
the SQLite store and the DBOS database beside it (raw file bytes, WAL included), and the
repository (work tree and every commit message and diff).
"""

from __future__ import annotations

import glob
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from cxops.store.keys import generate_keys
from tests.hostile.proxy import ServerThread
from tests.pipelines.promote.profiles import write_profiles

SMALL = "Flawed - Flow Cycle"
CANARIES = {
    "flag": "canary-flag-5ecre7-a91f",
    "env": "canary-env-5ecre7-b37c",
    "profile": "canary-profile-5ecre7-c44d",
    "url": "canary-url-5ecre7-d58e",
    "store-url": "canary-store-5ecre7-e62f",
    "echoed": "canary-echoed-5ecre7-f73a",
}


def _echoing_vendor() -> Starlette:
    """A vendor that quotes the credentials it got in its error bodies and debug-worthy
    headers (some gateways do): only redaction keeps them off the screen."""

    async def refuse(request: Request) -> Response:
        key = request.headers.get("x-api-key", "")
        body = {"message": f"api key {key} has no access; try client_secret={key}", "code": "x"}
        return JSONResponse(body, status_code=403, headers={"x-echo": key})

    return Starlette(routes=[Route("/{path:path}", refuse, methods=["GET", "POST"])])


def _git_text(repo: Path) -> str:
    if not (repo / ".git").exists():
        return ""
    done = subprocess.run(
        ["git", "log", "--all", "-p", "--format=%H%n%B"], cwd=repo, capture_output=True, text=True
    )
    return done.stdout


def _everything(root: Path) -> bytes:
    """The bytes of every file under ``root`` (stores, WAL files, repositories, reports)."""
    out = bytearray()
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            out += path.read_bytes()
    return bytes(out)


@pytest.fixture
def world(
    emu: EmulatorThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    """Profiles dev/prod (secrets in env: references), the real keys, a work folder."""
    emu.ctx.clock.set_speed(200)
    env = write_profiles(emu, tmp_path, "cognigy")
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.chdir(tmp_path)
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]
    real = {
        info["cognigy"]["dev"]["credentials"][role]["api_key"] for role in ("readonly", "admin")
    } | set(env.values())
    real |= {info["genesys"]["dev"]["credentials"]["readonly"]["client_secret"]}
    yield {"tmp": tmp_path, "info": info, "real": real}
    shutdown()


def test_no_secret_anywhere_after_every_command_and_failure_path(
    world: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exports (ok and refused), promotion, audit, runs, a URL password: 0 canary hits."""
    tmp = world["tmp"]
    info = world["info"]
    assert isinstance(tmp, Path) and isinstance(info, dict)
    cog = info["cognigy"]["dev"]
    gen = info["genesys"]["dev"]
    store = f"sqlite:///{tmp / 'state.db'}"
    repo = str(tmp / "repo")
    debug = ["--log-level", "debug"]
    crash_before = set(glob.glob(f"{tempfile.gettempdir()}/cxops-crash-*.log"))
    private_pem, _ = generate_keys()
    monkeypatch.setenv("AUDIT_KEY_PEM", private_pem.decode())
    monkeypatch.setenv("CXOPS_AUDIT_SIGNING_KEY", "env:AUDIT_KEY_PEM")
    secret_lines = [
        line for line in private_pem.decode().splitlines() if "-----" not in line and line
    ]

    runs: list[tuple[list[str], set[int]]] = []

    def run(argv: list[str], codes: set[int]) -> None:
        runs.append((argv, codes))
        code = main([*debug, *argv])
        assert code in codes, (argv, code, capsys.readouterr().err[-2000:])

    base = ["--store", store, "--repo", repo, "--rate", "5000"]
    # A vendor that echoes the key it was sent: the error quotes the vendor, redacted.
    with ServerThread(_echoing_vendor()) as echo:
        run(
            [
                "export",
                "--vendor",
                "cognigy",
                "--base-url",
                f"{echo.url}/cognigy/dev",
                "--api-key",
                CANARIES["echoed"],
                "--project",
                SMALL,
                *base,
            ],
            {2},
        )
    # Success: the real key as a flag; the project exported, committed with a signed head.
    run(
        [
            "export",
            "--vendor",
            "cognigy",
            "--base-url",
            cog["base_url"],
            "--api-key",
            cog["credentials"]["readonly"]["api_key"],
            "--project",
            SMALL,
            *base,
        ],
        {0, 1},
    )
    # Refused key as a flag, in the environment, through a profile's env: reference.
    run(
        [
            "export",
            "--vendor",
            "cognigy",
            "--base-url",
            cog["base_url"],
            "--api-key",
            CANARIES["flag"],
            "--project",
            SMALL,
            *base,
        ],
        {2},
    )
    monkeypatch.setenv("CXOPS_CLIENT_SECRET", CANARIES["env"])
    run(
        [
            "export",
            "--vendor",
            "genesys",
            "--base-url",
            gen["base_url"],
            "--auth-url",
            gen.get("auth_url") or gen["base_url"],
            "--client-id",
            gen["credentials"]["readonly"]["client_id"],
            "--all",
            *base,
        ],
        {2},
    )
    monkeypatch.delenv("CXOPS_CLIENT_SECRET")
    monkeypatch.setenv("TEST_COGNIGY_PROD_API_KEY", CANARIES["profile"])
    run(["export", "--profile", "prod", "--all", *base], {2})
    # A password inside a URL: refused before anything is stored.
    url = cog["base_url"].replace("://", f"://robot:{CANARIES['url']}@", 1)
    run(
        [
            "export",
            "--vendor",
            "cognigy",
            "--base-url",
            url,
            "--api-key",
            cog["credentials"]["readonly"]["api_key"],
            "--project",
            SMALL,
            *base,
        ],
        {2},
    )
    store_url = f"postgresql://cxops:{CANARIES['store-url']}@127.0.0.1:1/nothing"
    run(["runs", "list", "--store", store_url], {2})
    run(["audit", "verify", "--store", store_url], {2})
    # A profile holding a literal secret is refused without echoing it.
    (tmp / "cxops.toml").write_text(
        (tmp / "cxops.toml").read_text()
        + f'\n[profiles.bad]\nvendor = "cognigy"\nbase_url = "{cog["base_url"]}"\n'
        f'api_key = "{CANARIES["profile"]}"\n'
    )
    run(["export", "--profile", "bad", "--all", *base], {2})
    # The rest of the surface on the store just written.
    run(["runs", "list", "--store", store, "--json"], {0})
    run(["audit", "verify", "--store", store, "--repo", repo], {0})
    run(["audit", "head", "--store", store], {0})
    run(["audit", "show", "--store", store, "--jsonl"], {0})
    run(["validate", str(tmp / "repo")], {0, 1})
    run(["lock", "--check", str(tmp / "repo")], {0, 1})

    captured = capsys.readouterr()
    secrets = [*CANARIES.values(), *world["real"], *secret_lines]  # type: ignore[misc]
    texts = {"stdout": captured.out, "stderr": captured.err}
    new_crashes = set(glob.glob(f"{tempfile.gettempdir()}/cxops-crash-*.log")) - crash_before
    texts |= {p: Path(p).read_text() for p in new_crashes}
    texts["repo history"] = _git_text(tmp / "repo")
    blob = _everything(tmp)
    hits = [(where, s[:14]) for s in secrets for where, text in texts.items() if s and s in text]
    hits += [("a file under the work folder", s[:14]) for s in secrets if s.encode() in blob
             and not _only_in_inputs(tmp, s)]  # fmt: skip
    assert not hits, hits
    assert "DEBUG" in captured.err.upper() or "debug" in captured.err  # logs really were on
    assert not new_crashes, new_crashes


def _only_in_inputs(tmp: Path, secret: str) -> bool:
    """cxops.toml is the test's own input (the literal-secret profile), not cxops' output."""
    for path in tmp.rglob("*"):
        if path.is_file() and path.name != "cxops.toml" and secret.encode() in path.read_bytes():
            return False
    return True
