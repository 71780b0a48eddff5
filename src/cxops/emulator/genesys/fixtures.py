"""The Genesys fixture orgs "dev" and "prod", built deterministically from the seed.

dev holds the newest state of every flow plus the deliberately flawed ones (see ``flawed``);
prod holds an older state of some dev flows (fewer versions, no flaws), so a promotion has
something to bring over: in the clean ``Digital Channels`` division prod's Order Status Bot
still greets with an older text (``PROD_WORDING``) and the Billing Assistant Bot is missing.
Ids are random UUIDs drawn from ``random.Random(seed, tenant)``: the two orgs share names, not
ids, as two real Genesys Cloud orgs do.

``FLAWS`` lists the deliberate flaws for the default seed; ``flaws(seed)`` for any other.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from cxops.emulator.genesys import bots, document, flawed, ivr, modules
from cxops.emulator.genesys.configs import Config, lit
from cxops.emulator.genesys.env import Env
from cxops.emulator.genesys.state import CHECKIN, Flow, GenesysTenant, Resource, Version

DEFAULT_SEED = 7  # EmulatorConfig.seed
EPOCH = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp()  # fixture history starts here
HOME, DIGITAL = "Home", "Digital Channels"

Builder = Callable[[Env, Flow, int], Config]

# name, type, division, description, dev versions, prod versions, builder
CATALOG: list[tuple[str, str, str, str, int, int, Builder]] = [
    (
        "Authenticate Caller",
        "COMMONMODULE",
        HOME,
        "PIN check shared by the IVRs",
        2,
        1,
        modules.authenticate_caller,
    ),
    (
        "Business Hours Check",
        "COMMONMODULE",
        HOME,
        "Office hours, holidays, emergencies",
        3,
        2,
        modules.business_hours,
    ),
    (
        "Main Line IVR",
        "INBOUNDCALL",
        HOME,
        "Main number: billing, support, sales",
        4,
        2,
        ivr.main_line,
    ),
    (
        "Support Line IVR",
        "INBOUNDCALL",
        HOME,
        "Technical support with outage notice",
        3,
        3,
        ivr.support_line,
    ),
    ("Sales Line IVR", "INBOUNDCALL", HOME, "Sales number", 2, 0, ivr.sales_line),
    (
        "Billing In-Queue",
        "INQUEUECALL",
        HOME,
        "Hold loop offering a callback",
        2,
        1,
        partial(ivr.in_queue, callback=True),
    ),
    (
        "Default In-Queue",
        "INQUEUECALL",
        HOME,
        "Hold loop with voicemail",
        1,
        1,
        partial(ivr.in_queue, callback=False),
    ),
    (
        "Order Status Bot",
        "DIGITALBOT",
        DIGITAL,
        "Web chat order assistant",
        3,
        2,
        bots.order_bot,
    ),
    (
        "Billing Assistant Bot",
        "DIGITALBOT",
        DIGITAL,
        "Messaging billing assistant",
        2,
        0,
        bots.billing_bot,
    ),
    (
        flawed.SHARED_MODULE,
        "COMMONMODULE",
        HOME,
        "Greeting shared by two teams",
        2,
        0,
        flawed.plain_module,
    ),
    (
        flawed.LEGACY_MODULE,
        "COMMONMODULE",
        HOME,
        "Post-call survey (legacy)",
        2,
        0,
        flawed.plain_module,
    ),
    *[
        (name, "COMMONMODULE", HOME, "Calls the next module of a cycle", 1, 0, flawed.cycle_module)
        for name in flawed.CYCLE
    ],
    (
        "Flawed - Version Conflict A",
        "INBOUNDCALL",
        HOME,
        "Wants the greeting module 1.x",
        1,
        0,
        flawed.conflict_a,
    ),
    (
        "Flawed - Version Conflict B",
        "INBOUNDCALL",
        HOME,
        "Wants the greeting module 2.x",
        1,
        0,
        flawed.conflict_b,
    ),
    (
        "Flawed - Version Unsatisfiable",
        "INBOUNDCALL",
        HOME,
        "Wants a survey module 3.x",
        1,
        0,
        flawed.unsatisfiable,
    ),
    (
        "Flawed - Deleted Data Action",
        "INBOUNDCALL",
        HOME,
        "Calls a deleted data action",
        1,
        0,
        flawed.deleted_data_action,
    ),
    (
        "Flawed - Unreachable Nodes",
        "INBOUNDCALL",
        HOME,
        "Has actions nothing leads to",
        1,
        0,
        flawed.unreachable,
    ),
    (
        "Flawed - Endless Hold Loop",
        "INBOUNDCALL",
        HOME,
        "Holds callers for ever",
        1,
        0,
        flawed.endless_loop,
    ),
    (
        "Flawed - Oversized Flow",
        "INBOUNDCALL",
        HOME,
        "A survey too long to maintain",
        1,
        0,
        flawed.oversized,
    ),
]
# Flows whose newest dev version is checked in but not yet published (a pending change).
UNPUBLISHED_HEAD = {"Order Status Bot"}

# Prod-only wording (flow, action id, property, text): prod runs an older text than dev, so a
# dev → prod promotion of the clean "Digital Channels" division changes a flow there too.
PROD_WORDING = [
    ("Order Status Bot", "a-greet", "communication", "Hello, this is the order assistant.")
]

# kind, name, category (data actions); the deleted one exists in dev only.
RESOURCES: list[tuple[str, str, str | None]] = [
    ("DATAACTION", "Lookup Account by ANI", "Salesforce CRM"),
    ("DATAACTION", "Check Outage Status", "Web Services Data Actions"),
    ("DATAACTION", "Create Callback", "Genesys Cloud Data Actions"),
    ("DATAACTION", "Verify Caller PIN", "Web Services Data Actions"),
    ("DATAACTION", "Get Open Orders", "Salesforce CRM"),
    ("DATAACTION", "Get Balance", "Web Services Data Actions"),
    *[
        ("USERPROMPT", p, None)
        for p in (
            "welcome",
            "main_menu",
            "closed_hours",
            "hold_music",
            "please_hold",
            "goodbye",
            "outage_notice",
            "enter_pin",
        )
    ],
    *[
        ("QUEUE", q, None)
        for q in ("Billing", "Technical Support", "Sales", "General Enquiries", "Callbacks")
    ],
]
DELETED = ("DATAACTION", "Legacy CRM Lookup", "Salesforce CRM")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _reword(cfg: Config, flow: str) -> None:
    """Apply :data:`PROD_WORDING` to one of prod's documents (in place)."""
    for name, aid, key, text in PROD_WORDING:
        if name != flow:
            continue
        for act in document.actions(cfg):
            if act.get("id") == aid:
                act[key] = lit(text, "com")


def build_tenant(seed: int, tenant: str) -> GenesysTenant:
    """A fresh org; the same ``seed`` and ``tenant`` always give the same content and ids."""
    rng = random.Random(f"{seed}/genesys/{tenant}")
    org = GenesysTenant(tenant, org_id=_uuid(rng))
    for name in (HOME, DIGITAL):
        did = _uuid(rng)
        org.divisions[name] = {
            "id": did,
            "name": name,
            "selfUri": f"/api/v2/authorization/divisions/{did}",
        }
    is_dev = tenant != "prod"
    for kind, name, category in [*RESOURCES, *([DELETED] if is_dev else [])]:
        rid = _uuid(rng)
        org.resources[rid] = Resource(
            kind, rid, name, deleted=(kind, name, category) == DELETED, category=category
        )
    chosen = [(row, row[4] if is_dev else row[5]) for row in CATALOG]
    chosen = [(row, n) for row, n in chosen if n > 0]
    for (name, ftype, division, description, *_), _n in chosen:
        fid = _uuid(rng)
        org.flows[fid] = Flow(fid, name, ftype, dict(org.divisions[division]), description)
    env = Env(org)
    for (name, _, _, _, _, _, builder), count in chosen:
        flow = env.flow(name)
        when = EPOCH + rng.uniform(0, 20) * 86400
        for n in range(1, count + 1):
            cfg = builder(env, flow, n)
            if not is_dev:
                _reword(cfg, name)
            vid = f"{n}.0"
            flow.versions.append(Version(vid, cfg, CHECKIN, when))
            pending = n == count and count > 1 and is_dev and name in UNPUBLISHED_HEAD
            if not pending:
                org.publish(flow, vid, when + rng.uniform(1, 48) * 3600)
            when += rng.uniform(3, 25) * 86400
    last = max(v.published or v.created for f in org.flows.values() for v in f.versions)
    org.build = {
        "id": _uuid(rng),
        "buildId": _uuid(rng),
        "status": "OPERATIONAL",
        "dateStarted": last + 60,
        "dateCompleted": last + 95,
        "client": None,
        "failedObjects": [],
    }
    return org


def flaws(seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """The deliberate flaws of the dev org built from ``seed``, with that org's flow ids."""
    org = build_tenant(seed, "dev")
    out = []
    for name, node, code, what in flawed.FLAW_SPECS:
        flow = next(f for f in org.flows.values() if f.name == name)
        out.append(
            {
                "vendor": "genesys",
                "tenant": "dev",
                "project": flow.division["name"],
                "flow": flow.id,
                "node": node,
                "code": code,
                "what": what,
            }
        )
    return out


FLAWS: list[dict[str, Any]] = flaws(DEFAULT_SEED)
