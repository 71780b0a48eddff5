"""Fixture flows with deliberate flaws, for the analysis checks to find (dev tenant only).

Each flawed flow's name says what is wrong with it. ``FLAW_SPECS`` says where each flaw sits
(flow name, node id, finding code); ``fixtures.flaws(seed)`` turns it into ids.
"""

from __future__ import annotations

from cxops.emulator.genesys.configs import Config, action, configuration, container
from cxops.emulator.genesys.env import Env, meta
from cxops.emulator.genesys.state import Flow

CYCLE = ("Flawed - Module Cycle A", "Flawed - Module Cycle B", "Flawed - Module Cycle C")
SHARED_MODULE = "Shared Greeting Module"  # versions 1.0 and 2.0, both published in turn
LEGACY_MODULE = "Legacy Survey Module"  # versions 1.0 and 2.0, both published in turn
OVERSIZED_STEPS = 520  # survey questions in one state: over the seeds' limit of 500 nodes

# (flow name, node id, code, what)
FLAW_SPECS: list[tuple[str, str | None, str, str]] = [
    (
        CYCLE[0],
        "a-call-next",
        "CX101",
        "Common modules 'Flawed - Module Cycle A' -> 'Flawed - Module Cycle B' -> "
        "'Flawed - Module Cycle C' -> 'Flawed - Module Cycle A' call each other in a cycle.",
    ),
    (
        "Flawed - Version Conflict B",
        "a-greet",
        "CX106",
        f"'Flawed - Version Conflict B' requires '{SHARED_MODULE}' ^2.0 while "
        f"'Flawed - Version Conflict A' requires ^1.0: no version satisfies both.",
    ),
    (
        "Flawed - Version Unsatisfiable",
        "a-survey",
        "CX106",
        f"'Flawed - Version Unsatisfiable' requires '{LEGACY_MODULE}' ^3.0 but only 1.0 and "
        "2.0 were ever published.",
    ),
    (
        "Flawed - Deleted Data Action",
        "a-legacy-lookup",
        "CX105",
        "'Flawed - Deleted Data Action' calls the data action 'Legacy CRM Lookup', "
        "which was deleted.",
    ),
    (
        "Flawed - Unreachable Nodes",
        "a-old-promo",
        "CX104",
        "'Flawed - Unreachable Nodes': action 'Old Promo' is not reachable from the start.",
    ),
    (
        "Flawed - Unreachable Nodes",
        "a-legacy-announcement",
        "CX104",
        "'Flawed - Unreachable Nodes': action 'Legacy Announcement' is not reachable "
        "from the start.",
    ),
    (
        "Flawed - Endless Hold Loop",
        "a-hold-prompt",
        "CX109",
        "'Flawed - Endless Hold Loop' loops 'Hold Prompt' -> 'Hold Music' -> 'Hold Prompt' "
        "with no way out and nothing that ends the call.",
    ),
    (
        "Flawed - Oversized Flow",
        None,
        "CX102",
        f"'Flawed - Oversized Flow' has {OVERSIZED_STEPS + 2} actions (more than 500).",
    ),
]


def cycle_module(env: Env, flow: Flow, n: int) -> Config:
    """A common module calling the next one of the cycle (C calls A)."""
    nxt = env.flow(CYCLE[(CYCLE.index(flow.name) + 1) % len(CYCLE)])
    acts = [
        action(
            "a-start",
            "Start",
            "setVariable",
            {"variable": "Task.depth", "expression": "Task.depth + 1"},
            default="a-call-next",
        ),
        action(
            "a-call-next",
            f"Call {nxt.name}",
            "callCommonModule",
            {"flowId": nxt.id},
            [env.flow_ref(nxt.name)],
            default="a-end",
        ),
        action("a-end", "End Task", "endTask"),
    ]
    return configuration(
        flow=meta(flow),
        start="tk-main",
        tasks=[container("tk-main", "Main", "task", acts)],
    )


def plain_module(env: Env, flow: Flow, n: int) -> Config:
    """A module that plays a line of text (the target of the version-range flaws)."""
    acts = [
        action(
            "a-say", "Say", "playAudio", {"text": f"{flow.name}, revision {n}."}, default="a-end"
        ),
        action("a-end", "End Task", "endTask"),
    ]
    return configuration(
        flow=meta(flow),
        start="tk-main",
        tasks=[container("tk-main", "Main", "task", acts)],
    )


def _module_caller(env: Env, flow: Flow, n: int, module: str, rng: str, node: str) -> Config:
    target = env.flow(module)
    q = env.queue("General Enquiries")
    acts = [
        action(
            "a-welcome",
            "Welcome",
            "playAudio",
            {"prompt": env.prompt("welcome")["id"]},
            [env.prompt("welcome")],
            default=node,
        ),
        action(
            node,
            f"Call {module}",
            "callCommonModule",
            {"flowId": target.id},
            [env.flow_ref(module, rng)],
            default="a-xfer",
        ),
        action("a-xfer", "Transfer", "transferToAcd", {"queueId": q["id"]}, [q]),
    ]
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", acts)],
    )


def conflict_a(env: Env, flow: Flow, n: int) -> Config:
    """Calls the shared greeting module with ``^1.0``."""
    return _module_caller(env, flow, n, SHARED_MODULE, "^1.0", "a-greet")


def conflict_b(env: Env, flow: Flow, n: int) -> Config:
    """Calls the shared greeting module with ``^2.0`` (conflicts with A)."""
    return _module_caller(env, flow, n, SHARED_MODULE, "^2.0", "a-greet")


def unsatisfiable(env: Env, flow: Flow, n: int) -> Config:
    """Calls the legacy survey module with ``^3.0``, which no version satisfies."""
    return _module_caller(env, flow, n, LEGACY_MODULE, "^3.0", "a-survey")


def deleted_data_action(env: Env, flow: Flow, n: int) -> Config:
    """Calls 'Legacy CRM Lookup', a data action that exists only as deleted."""
    gone, q = env.data("Legacy CRM Lookup"), env.queue("General Enquiries")
    acts = [
        action(
            "a-welcome",
            "Welcome",
            "playAudio",
            {"prompt": env.prompt("welcome")["id"]},
            [env.prompt("welcome")],
            default="a-legacy-lookup",
        ),
        action(
            "a-legacy-lookup",
            "Legacy Lookup",
            "callData",
            {"dataAction": gone["id"], "inputs": {"ani": "Call.Ani"}},
            [gone],
            success="a-xfer",
            failure="a-xfer",
            timeout="a-xfer",
        ),
        action("a-xfer", "Transfer", "transferToAcd", {"queueId": q["id"]}, [q]),
    ]
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", acts)],
    )


def unreachable(env: Env, flow: Flow, n: int) -> Config:
    """Two actions that no path leads to (left over from an old promotion)."""
    q = env.queue("General Enquiries")
    acts = [
        action(
            "a-welcome",
            "Welcome",
            "playAudio",
            {"prompt": env.prompt("welcome")["id"]},
            [env.prompt("welcome")],
            default="a-route",
        ),
        action(
            "a-route",
            "Agents Available?",
            "decision",
            {"expression": "Queue.agentsAvailable > 0"},
            yes="a-xfer",
            no="a-disc",
        ),
        action("a-xfer", "Transfer", "transferToAcd", {"queueId": q["id"]}, [q]),
        action("a-disc", "Disconnect", "disconnect"),
        action(
            "a-old-promo",
            "Old Promo",
            "playAudio",
            {"text": "Ask about our spring offer!"},
            default="a-legacy-announcement",
        ),
        action(
            "a-legacy-announcement",
            "Legacy Announcement",
            "playAudio",
            {"text": "Our offices have moved."},
            default="a-disc",
        ),
    ]
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", acts)],
    )


def endless_loop(env: Env, flow: Flow, n: int) -> Config:
    """A hold loop with no exit: no decision, no transfer, nothing ends the call."""
    hold = env.prompt("hold_music")
    acts = [
        action(
            "a-welcome",
            "Welcome",
            "playAudio",
            {"prompt": env.prompt("welcome")["id"]},
            [env.prompt("welcome")],
            default="a-hold-prompt",
        ),
        action(
            "a-hold-prompt",
            "Hold Prompt",
            "playAudio",
            {"prompt": env.prompt("please_hold")["id"]},
            [env.prompt("please_hold")],
            default="a-hold-music",
        ),
        action(
            "a-hold-music",
            "Hold Music",
            "holdMusic",
            {"prompt": hold["id"], "seconds": 30},
            [hold],
            default="a-hold-prompt",
        ),
    ]
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", acts)],
    )


def oversized(env: Env, flow: Flow, n: int) -> Config:
    """A post-call survey written as one long chain of questions, far past the node limit."""
    steps = [
        action(
            f"a-q{k:03d}",
            f"Question {k}",
            "playAudio",
            {"text": f"On a scale of one to five, question {k}."},
            default=f"a-q{k + 1:03d}" if k < OVERSIZED_STEPS else "a-thanks",
        )
        for k in range(1, OVERSIZED_STEPS + 1)
    ]
    acts = [
        *steps,
        action("a-thanks", "Thanks", "playAudio", {"text": "Thank you."}, default="a-disc"),
        action("a-disc", "Disconnect", "disconnect"),
    ]
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Survey", "state", acts)],
    )
