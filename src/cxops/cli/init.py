"""``cxops init``: write a commented ``cxops.toml`` with a dev and a prod profile per vendor.

The file holds no secret: every secret is an ``env:NAME`` reference (``transport.profiles``
refuses anything else), and the command prints the variables to set. ``--emulator`` points the
profiles at ``cxops emulator`` on loopback, with the emulator's demo client ids, for a first tour.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cxops.cli import common
from cxops.cli.common import Output, list_option, output_options, split
from cxops.errors import UsageError
from cxops.safefile import write_file
from cxops.transport.profiles import PROFILE_FILE

__all__ = ["init", "render", "variables"]

VENDORS = ("cognigy", "cxone", "genesys")

_HEADER = """\
# cxops connection profiles. Use one with --profile NAME on any command that talks to a vendor.
# Secrets are never written here: a secret key takes "env:VARIABLE" and cxops reads the variable
# (a literal secret is refused). Any other key may be an env: reference too.
# Connecting a real tenant (credentials, roles, regions): docs/connect/<vendor>.md
"""

# Per vendor: the profile table, commented. {env} is DEV or PROD, {name} the profile name.
_REAL = {
    "cognigy": """\
[profiles.{name}]
vendor = "cognigy"
# The REST API host of your Cognigy.AI environment (SaaS examples: https://api-trial.cognigy.ai,
# https://api-app.cognigy.ai; on-premises: your API domain). cxops adds /new/v2.0/.
base_url = "https://api-app.cognigy.ai"
# An API key of a user with the roles cxops needs (docs/connect/cognigy.md) ...
api_key = "env:COGNIGY_{env}_API_KEY"
# ... or OAuth2 client credentials instead of api_key:
# client_id = "..."
# client_secret = "env:COGNIGY_{env}_CLIENT_SECRET"
""",
    "cxone": """\
[profiles.{name}]
vendor = "cxone"
# Your business unit's tenant id: cxops discovers the API host from it
# (/.well-known/cxone-configuration). Or set base_url to the api_endpoint yourself.
tenant_id = "..."
# base_url = "https://api-na1.niceincontact.com"
# auth_url = "https://cxone.niceincontact.com"      # the default token host
# The registered application (client) and a user's access key (Admin > Access Keys).
client_id = "..."
client_secret = "env:CXONE_{env}_CLIENT_SECRET"
access_key_id = "..."
access_key_secret = "env:CXONE_{env}_ACCESS_KEY_SECRET"
""",
    "genesys": """\
[profiles.{name}]
vendor = "genesys"
# Your org's region: api.<region> and login.<region>, e.g. mypurecloud.com (US East),
# usw2.pure.cloud, mypurecloud.ie, mypurecloud.de, euw2.pure.cloud, mypurecloud.com.au,
# mypurecloud.jp, cac1.pure.cloud, aps1.pure.cloud.
base_url = "https://api.mypurecloud.com"
auth_url = "https://login.mypurecloud.com"
# An OAuth client (Client Credentials grant) with the roles of docs/connect/genesys.md.
client_id = "..."
client_secret = "env:GENESYS_{env}_CLIENT_SECRET"
""",
}

# The same tables for `cxops emulator` (its fixture tenants and demo credentials).
_EMULATOR = {
    "cognigy": """\
[profiles.{name}]
vendor = "cognigy"
base_url = "http://127.0.0.1:{port}/cognigy/{tenant}"
api_key = "env:COGNIGY_{env}_API_KEY"
""",
    "cxone": """\
[profiles.{name}]
vendor = "cxone"
base_url = "http://127.0.0.1:{port}/cxone/{tenant}"
auth_url = "http://127.0.0.1:{port}/cxone/{tenant}"
tenant_id = "{tenant}"
client_id = "cxone-{tenant}-app"
client_secret = "env:CXONE_{env}_CLIENT_SECRET"
access_key_id = "cxone-{tenant}-admin-key"
access_key_secret = "env:CXONE_{env}_ACCESS_KEY_SECRET"
""",
    "genesys": """\
[profiles.{name}]
vendor = "genesys"
base_url = "http://127.0.0.1:{port}/genesys/{tenant}"
client_id = "genesys-{tenant}-admin"
client_secret = "env:GENESYS_{env}_CLIENT_SECRET"
""",
}

# The emulator's demo credentials (``/_emulator/info``), per variable of the templates above.
_EMULATOR_SECRETS = {
    "cognigy": {"COGNIGY_{env}_API_KEY": "cognigy-{tenant}-admin-apikey"},
    "cxone": {
        "CXONE_{env}_CLIENT_SECRET": "cxone-{tenant}-app-secret",
        "CXONE_{env}_ACCESS_KEY_SECRET": "cxone-{tenant}-admin-key-secret",
    },
    "genesys": {"GENESYS_{env}_CLIENT_SECRET": "genesys-{tenant}-admin-secret"},
}

_FOOTER = """\
# Optional keys on any profile:
#   protected = true     a production tenant: CXone compile (which saves to validate) only
#                        with --save
#   timeout = 300        seconds one vendor call may take
# On a Cognigy promotion target, the sessions gate reads Cognigy's OData analytics:
#   odata_url = "https://..."   (your environment's OData host: docs/connect/cognigy.md)
#   odata_key = "env:COGNIGY_PROD_ODATA_KEY"
"""


def profile_name(vendor: str, stage: str, vendors: list[str]) -> str:
    """``dev``/``prod`` for one vendor, ``<vendor>-dev`` when several share the file."""
    return stage if len(vendors) == 1 else f"{vendor}-{stage}"


def render(vendors: list[str], *, emulator: bool, port: int = 8877) -> str:
    """The text of ``cxops.toml`` for these vendors."""
    parts = [_HEADER]
    for vendor in vendors:
        for stage in ("dev", "prod"):
            template = (_EMULATOR if emulator else _REAL)[vendor]
            name = profile_name(vendor, stage, vendors)
            table = template.format(name=name, env=stage.upper(), port=port, tenant=stage)
            if stage == "prod" and not emulator:
                table += "protected = true   # changes nothing here unless a command says so\n"
            parts.append(table)
    if not emulator:
        parts.append(_FOOTER)
    return "\n".join(parts)


def variables(vendors: list[str], *, emulator: bool) -> dict[str, str]:
    """The variables the file refers to, with the emulator's value (or ``...`` for a tenant)."""
    out: dict[str, str] = {}
    for vendor in vendors:
        for stage in ("dev", "prod"):
            for var, value in _EMULATOR_SECRETS[vendor].items():
                name = var.format(env=stage.upper())
                out[name] = value.format(tenant=stage) if emulator else "..."
    return out


@output_options("text", "json")
def init(
    vendor: list[str] | None = list_option(
        None, "--vendor", metavar="VENDOR", help="cognigy, cxone or genesys (default: all three)."
    ),
    emulator: bool = typer.Option(
        False, "--emulator", help="Point the profiles at `cxops emulator` on 127.0.0.1."
    ),
    port: int = typer.Option(8877, "--port", min=1, max=65535, help="The emulator's port."),
    path: Path = typer.Option(Path("."), "--path", help="Folder to write cxops.toml into."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing cxops.toml."),
    *,
    out: Output,
) -> None:
    """Write a commented cxops.toml: a dev and a prod profile for each vendor asked.

    No secret goes into the file: secrets are env:VARIABLE references, and the variables to set
    are printed. Edit the ids and hosts it marks, then try a read-only command.

    Example: cxops init --vendor genesys --vendor cxone
    Example: cxops init --emulator     (then: cxops emulator --port 8877)
    """
    vendors = [v.lower() for v in split(vendor)] or list(VENDORS)
    unknown = sorted(set(vendors) - set(VENDORS))
    if unknown:
        raise UsageError(
            f"--vendor {', '.join(unknown)}: unknown vendor", hint="cognigy, cxone or genesys"
        )
    vendors = [v for v in VENDORS if v in vendors]
    target = path / PROFILE_FILE
    if target.exists() and not force:
        raise UsageError(f"{target} exists", hint="edit it, or pass --force to overwrite it")
    text = render(vendors, emulator=emulator, port=port)
    write_file(target, text)
    first = profile_name(vendors[0], "dev", vendors)
    then = f"cxops export --profile {first} --all --repo repo-{first}"
    if out.json:
        names = [profile_name(v, s, vendors) for v in vendors for s in ("dev", "prod")]
        env = variables(vendors, emulator=emulator)
        out.document({"written": str(target), "profiles": names, "variables": env, "then": then})
        return
    console = common.console(stderr=True, markup=False)
    console.print(f"wrote {target} ({2 * len(vendors)} profiles)")
    console.print(
        "set the emulator's demo credentials:" if emulator else "set (never in the file):"
    )
    for var, value in variables(vendors, emulator=emulator).items():
        console.print(f"  export {var}={value}")
    if not emulator:
        console.print(f"edit the values marked ... in {target}")
    console.print(f"then: {then}")
