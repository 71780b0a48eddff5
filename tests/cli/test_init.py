"""`cxops init` writes a cxops.toml whose profiles load, hold no secret, and reach the emulator."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cxops.cli.init import variables
from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.transport import open_client, resolve_connection

# One read each vendor answers for any authenticated client.
PROBES = {
    "cognigy": "/new/v2.0/projects",
    "genesys": "/api/v2/flows",
    "cxone": "/inContactAPI/services/v31.0/scripts/search",
}


def _exports(err: str) -> dict[str, str]:
    lines = [line.strip() for line in err.splitlines() if line.strip().startswith("export ")]
    return dict(line.removeprefix("export ").split("=", 1) for line in lines)


async def test_emulator_profiles_reach_every_vendor(
    tmp_path: Path, emu: EmulatorThread, capsys: pytest.CaptureFixture[str]
) -> None:
    """--emulator: each of the six profiles, with the printed variables, authenticates and reads."""
    port = urlsplit(emu.url).port
    assert main(["init", "--emulator", "--port", str(port), "--path", str(tmp_path)]) == 0
    env = _exports(capsys.readouterr().err)
    assert env == variables(["cognigy", "cxone", "genesys"], emulator=True)
    profiles = tomllib.loads((tmp_path / "cxops.toml").read_text())["profiles"]
    vendors = ("cognigy", "cxone", "genesys")
    assert sorted(profiles) == [f"{v}-{stage}" for v in vendors for stage in ("dev", "prod")]
    for name, table in profiles.items():
        settings = resolve_connection(profile=name, cwd=tmp_path, environ=env)
        assert settings.vendor == table["vendor"]
        async with open_client(settings) as client:
            assert await client.get_json(PROBES[settings.vendor]) is not None


def test_tenant_template_holds_no_secret_and_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real-tenant template: secrets only as env: references; every profile loads."""
    assert main(["init", "--path", str(tmp_path), "--vendor", "genesys,cognigy"]) == 0
    err = capsys.readouterr().err
    text = (tmp_path / "cxops.toml").read_text()
    profiles = tomllib.loads(text)["profiles"]
    assert sorted(profiles) == ["cognigy-dev", "cognigy-prod", "genesys-dev", "genesys-prod"]
    for table in profiles.values():
        for key in ("client_secret", "api_key", "access_key_secret"):
            assert key not in table or table[key].startswith("env:")
    env = dict.fromkeys(_exports(err), "x")
    assert set(env) == {
        "COGNIGY_DEV_API_KEY",
        "COGNIGY_PROD_API_KEY",
        "GENESYS_DEV_CLIENT_SECRET",
        "GENESYS_PROD_CLIENT_SECRET",
    }
    for name in profiles:
        assert resolve_connection(profile=name, cwd=tmp_path, environ=env).profile == name
    one = tmp_path / "one"
    one.mkdir()
    assert main(["init", "--path", str(one), "--vendor", "cxone"]) == 0
    assert sorted(tomllib.loads((one / "cxops.toml").read_text())["profiles"]) == ["dev", "prod"]


def test_never_overwrites_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing cxops.toml stays (exit 2) unless --force; an unknown vendor writes nothing."""
    target = tmp_path / "cxops.toml"
    target.write_text("# mine\n")
    assert main(["init", "--path", str(tmp_path)]) == 2
    assert "exists" in capsys.readouterr().err
    assert target.read_text() == "# mine\n"
    assert main(["init", "--path", str(tmp_path), "--vendor", "avaya"]) == 2
    assert target.read_text() == "# mine\n"
    assert main(["init", "--path", str(tmp_path), "--force", "--vendor", "genesys"]) == 0
    assert "[profiles.dev]" in target.read_text()
