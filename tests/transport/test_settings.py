"""Connection settings: flags, profile, CXOPS_* env, .env, seed names; secrets kept hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cxops.cli.connection import connection_options
from cxops.errors import ConfigError
from cxops.logs import redact
from cxops.transport import ConnectionSettings, resolve_connection


def test_flags_win_over_environment() -> None:
    """A flag beats the CXOPS_* variable for the same field."""
    env = {"CXOPS_VENDOR": "genesys", "CXOPS_BASE_URL": "https://env.example"}
    s = resolve_connection({"base_url": "https://flag.example"}, environ=env)
    assert s.vendor == "genesys" and s.base_url == "https://flag.example"


def test_dotenv_fills_in_but_never_overrides(tmp_path: Path) -> None:
    """.env in the working folder adds variables; the real environment wins over it."""
    (tmp_path / ".env").write_text(
        "CXOPS_VENDOR=cognigy\nCXOPS_BASE_URL=https://dotenv.example\nCXOPS_API_KEY=dot-key-1\n"
    )
    s = resolve_connection(cwd=tmp_path, environ={"CXOPS_BASE_URL": "https://real.example"})
    assert s.base_url == "https://real.example"
    assert s.api_key is not None and s.api_key.get_secret_value() == "dot-key-1"


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"COGNIGY_BASE_URL": "https://c.example"}, "base_url", "https://c.example"),
        ({"COGNIGY_API_BASE": "https://c2.example"}, "base_url", "https://c2.example"),
        ({"COGNIGY_CLIENT_ID": "cid"}, "client_id", "cid"),
    ],
)
def test_seed_variable_names_are_fallbacks(env: dict[str, str], field: str, value: str) -> None:
    """The seeds' COGNIGY_* names fill fields no CXOPS_* variable gave."""
    s = resolve_connection({"vendor": "cognigy"}, environ=env)
    assert getattr(s, field) == value


def test_genesys_seed_names_and_cxops_precedence() -> None:
    """GENESYS_BASE_PATH and friends are used, but CXOPS_* wins when both are set."""
    env = {
        "GENESYS_BASE_PATH": "https://api.mypurecloud.de",
        "GENESYS_CLIENT_ID": "seed-id",
        "GENESYS_CLIENT_SECRET": "seed-secret-value",
        "CXOPS_CLIENT_ID": "cxops-id",
    }
    s = resolve_connection({"vendor": "genesys"}, environ=env)
    assert s.base_url == "https://api.mypurecloud.de"
    assert s.client_id == "cxops-id"
    assert s.client_secret is not None and s.client_secret.get_secret_value() == "seed-secret-value"
    assert "seed-secret-value" not in repr(s)
    assert redact("leaked seed-secret-value here") == "leaked *** here"


def _profile(tmp_path: Path, body: str) -> Path:
    (tmp_path / "cxops.toml").write_text(body)
    return tmp_path


def test_profile_with_env_references(tmp_path: Path) -> None:
    """A profile supplies fields; env:NAME secrets are read from the environment."""
    cwd = _profile(
        tmp_path,
        """
[profiles.prod]
vendor = "genesys"
base_url = "https://api.mypurecloud.ie"
client_id = "prod-id"
client_secret = "env:PROD_SECRET"
scopes = ["architect", "analytics"]
""",
    )
    env = {"PROD_SECRET": "prod-secret-value", "CXOPS_BASE_URL": "https://dev.example"}
    s = resolve_connection(profile="prod", cwd=cwd, environ=env)
    assert s.base_url == "https://api.mypurecloud.ie"  # the named profile beats ambient env
    assert s.client_secret is not None and s.client_secret.get_secret_value() == "prod-secret-value"
    assert s.scopes == ("architect", "analytics") and s.profile == "prod"


def test_literal_secret_in_profile_is_refused_naming_the_key(tmp_path: Path) -> None:
    """A secret written into cxops.toml is a ConfigError naming the key, not the value."""
    cwd = _profile(tmp_path, '[profiles.dev]\nvendor = "cognigy"\napi_key = "literal-key-123"\n')
    with pytest.raises(ConfigError) as caught:
        resolve_connection(profile="dev", cwd=cwd, environ={})
    assert "profiles.dev.api_key" in str(caught.value)
    assert "literal-key-123" not in str(caught.value) + str(caught.value.hint)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[profiles.dev]\nvendor = "genesys"\nclient_secret = "env:NOPE"\n', "NOPE is not set"),
        ('[profiles.other]\nvendor = "genesys"\n', "no \\[profiles.dev\\]"),
        ('[profiles.dev]\nvendr = "genesys"\n', "profiles.dev.vendr: unknown key"),
        ("[profiles.dev\n", "not valid TOML"),
    ],
)
def test_bad_profiles_are_config_errors(tmp_path: Path, body: str, message: str) -> None:
    """Unset references, missing tables, unknown keys and broken TOML are ConfigErrors."""
    cwd = _profile(tmp_path, body)
    with pytest.raises(ConfigError, match=message):
        resolve_connection(profile="dev", cwd=cwd, environ={})


def test_missing_vendor_and_credentials_say_what_to_pass() -> None:
    """No vendor, or no credentials, give errors naming the flags and variables."""
    with pytest.raises(ConfigError, match="no vendor"):
        resolve_connection(environ={})
    s = ConnectionSettings(vendor="cxone", client_id="x")
    with pytest.raises(ConfigError, match="--access-key-id") as caught:
        s.auth_mode()
    assert caught.value.hint is not None and "CXOPS_ACCESS_KEY_SECRET" in caught.value.hint


def test_cli_options_resolve_into_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared Typer options parse flags and CXOPS_* variables into ConnectionSettings."""
    app = typer.Typer()
    got: list[ConnectionSettings] = []

    @app.command()
    @connection_options
    def probe(name: str = typer.Option("x", "--name"), *, connection: ConnectionSettings) -> None:
        got.append(connection)
        typer.echo(f"{name} {connection.vendor} {connection.base_url}")

    monkeypatch.setenv("CXOPS_CLIENT_SECRET", "cli-secret-value")
    result = CliRunner().invoke(
        app,
        ["--vendor", "genesys", "--base-url", "https://api.x", "--client-id", "i", "--name", "n"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "n genesys https://api.x"
    secret = got[0].client_secret
    assert secret is not None and secret.get_secret_value() == "cli-secret-value"
    help_text = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "300"}).output
    for flag in (
        "--vendor",
        "--base-url",
        "--auth-url",
        "--client-id",
        "--client-secret",
        "--api-key",
        "--access-key-id",
        "--access-key-secret",
        "--tenant-id",
        "--profile",
        "CXOPS_BASE_URL",
    ):
        assert flag in help_text
