"""Fixture IVRs and in-queue flows: greetings, menus, data actions, queues, hold loops.

Later versions add menu choices and a callback task, so version lists and diffs have something
real to show. Module calls use ranges that match the module's newest major in the same org;
only the flows in ``flawed`` disagree on purpose.
"""

from __future__ import annotations

from typing import Any

from cxops.emulator.genesys.configs import Config, action, configuration, container, menu
from cxops.emulator.genesys.env import Env, meta
from cxops.emulator.genesys.state import Flow


def main_line(env: Env, flow: Flow, n: int) -> Config:
    """Inbound IVR: greeting, hours module, caller authentication, account lookup, menu."""
    auth_range = "^1.0" if n < 3 else "^2.0"
    welcome = env.prompt("welcome")
    start = [
        action(
            "a-welcome",
            "Welcome",
            "playAudio",
            {"prompt": welcome["id"]},
            [welcome],
            default="a-hours",
        ),
        action(
            "a-hours",
            "Business Hours",
            "callCommonModule",
            {"flowId": env.flow("Business Hours Check").id},
            [env.flow_ref("Business Hours Check")],
            default="a-open",
        ),
        action(
            "a-open",
            "Open?",
            "decision",
            {"expression": "Flow.isOpen"},
            yes="a-auth",
            no="a-closed",
        ),
        action(
            "a-closed",
            "Closed Message",
            "playAudio",
            {"prompt": env.prompt("closed_hours")["id"]},
            [env.prompt("closed_hours")],
            default="a-closed-bye",
        ),
        action("a-closed-bye", "Disconnect", "disconnect"),
        action(
            "a-auth",
            "Authenticate",
            "callCommonModule",
            {"flowId": env.flow("Authenticate Caller").id},
            [env.flow_ref("Authenticate Caller", auth_range)],
            default="a-lookup",
        ),
        action(
            "a-lookup",
            "Lookup Account",
            "callData",
            {"dataAction": env.data("Lookup Account by ANI")["id"], "inputs": {"ani": "Call.Ani"}},
            [env.data("Lookup Account by ANI")],
            success="a-to-menu",
            failure="a-to-menu",
            timeout="a-to-menu",
        ),
        action("a-to-menu", "Main Menu", "jumpToMenu", target="mn-main"),
    ]
    choices = [
        ("1", "Billing", _to_queue(env, "a-xfer-billing", "Billing")),
        ("2", "Support", _to_queue(env, "a-xfer-support", "Technical Support")),
    ]
    if n >= 2:
        choices.append(("3", "Sales", _to_queue(env, "a-xfer-sales", "Sales")))
    if n >= 4:
        target = env.flow("Support Line IVR")
        choices.append(
            (
                "9",
                "Support Line",
                action(
                    "a-to-support-line",
                    "To Support Line",
                    "transferToFlow",
                    {"flowId": target.id},
                    [env.flow_ref("Support Line IVR")],
                ),
            )
        )
    goodbye = [
        action(
            "a-bye",
            "Goodbye",
            "playAudio",
            {"prompt": env.prompt("goodbye")["id"]},
            [env.prompt("goodbye")],
            default="a-disconnect",
        ),
        action("a-disconnect", "Disconnect", "disconnect"),
    ]
    no_choice = action("a-no-choice", "No Selection", "jumpToTask", target="tk-goodbye")
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", start)],
        tasks=[container("tk-goodbye", "Goodbye", "task", goodbye)],
        menus=[menu("mn-main", "Main Menu", env.prompt("main_menu"), choices, ("None", no_choice))],
        variables=[
            {"name": "Flow.isOpen", "type": "boolean"},
            {"name": "Flow.accountId", "type": "string"},
        ],
    )


def _to_queue(env: Env, aid: str, queue: str) -> dict[str, Any]:
    q = env.queue(queue)
    return action(aid, f"Transfer to {queue}", "transferToAcd", {"queueId": q["id"]}, [q])


def support_line(env: Env, flow: Flow, n: int) -> Config:
    """Support IVR: outage check through a data action; from v3 a callback task."""
    hours = env.flow("Business Hours Check")
    after_outage = "a-offer-callback" if n >= 3 else "a-xfer-support"
    start = [
        action(
            "a-welcome",
            "Welcome",
            "playAudio",
            {"prompt": env.prompt("welcome")["id"]},
            [env.prompt("welcome")],
            default="a-hours",
        ),
        action(
            "a-hours",
            "Business Hours",
            "callCommonModule",
            {"flowId": hours.id},
            [env.flow_ref(hours.name)],
            default="a-outage",
        ),
        action(
            "a-outage",
            "Check Outage",
            "callData",
            {"dataAction": env.data("Check Outage Status")["id"], "inputs": {}},
            [env.data("Check Outage Status")],
            success="a-outage-known",
            failure="a-xfer-support",
            timeout="a-xfer-support",
        ),
        action(
            "a-outage-known",
            "Outage?",
            "decision",
            {"expression": "Flow.outage"},
            yes="a-outage-notice",
            no=after_outage,
        ),
        action(
            "a-outage-notice",
            "Outage Notice",
            "playAudio",
            {"prompt": env.prompt("outage_notice")["id"]},
            [env.prompt("outage_notice")],
            default="a-disconnect",
        ),
        action("a-disconnect", "Disconnect", "disconnect"),
        _to_queue(env, "a-xfer-support", "Technical Support"),
    ]
    tasks = []
    if n >= 3:
        start.append(
            action(
                "a-offer-callback",
                "Offer Callback",
                "callTask",
                {},
                call="tk-callback",
                default="a-xfer-support",
            )
        )
        cb = env.data("Create Callback")
        tasks.append(
            container(
                "tk-callback",
                "Callback",
                "task",
                [
                    action(
                        "a-cb-create",
                        "Create Callback",
                        "callData",
                        {"dataAction": cb["id"], "inputs": {"queue": "Callbacks"}},
                        [cb],
                        success="a-cb-end",
                        failure="a-cb-end",
                        timeout="a-cb-end",
                    ),
                    action("a-cb-end", "End Task", "endTask"),
                ],
            )
        )
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", start)],
        tasks=tasks,
        variables=[{"name": "Flow.outage", "type": "boolean"}],
    )


def sales_line(env: Env, flow: Flow, n: int) -> Config:
    """Sales IVR: hours, authentication (module 2.x), straight to the Sales queue."""
    start = [
        action(
            "a-welcome",
            "Welcome",
            "playAudio",
            {"prompt": env.prompt("welcome")["id"]},
            [env.prompt("welcome")],
            default="a-hours",
        ),
        action(
            "a-hours",
            "Business Hours",
            "callCommonModule",
            {"flowId": env.flow("Business Hours Check").id},
            [env.flow_ref("Business Hours Check")],
            default="a-open",
        ),
        action(
            "a-open",
            "Open?",
            "decision",
            {"expression": "Flow.isOpen"},
            yes="a-auth" if n >= 2 else "a-xfer-sales",
            no="a-closed",
        ),
        action(
            "a-closed",
            "Closed Message",
            "playAudio",
            {"prompt": env.prompt("closed_hours")["id"]},
            [env.prompt("closed_hours")],
            default="a-disconnect",
        ),
        action("a-disconnect", "Disconnect", "disconnect"),
        _to_queue(env, "a-xfer-sales", "Sales"),
    ]
    if n >= 2:
        start.append(
            action(
                "a-auth",
                "Authenticate",
                "callCommonModule",
                {"flowId": env.flow("Authenticate Caller").id},
                [env.flow_ref("Authenticate Caller", "^2.0")],
                default="a-xfer-sales",
            )
        )
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", start)],
    )


def in_queue(env: Env, flow: Flow, n: int, *, callback: bool) -> Config:
    """In-queue flow: hold music in a loop whose exits are a callback or voicemail."""
    exit_to = "a-cb-create" if callback else "a-voicemail"
    hold = env.prompt("hold_music")
    acts = [
        action(
            "a-please-hold",
            "Please Hold",
            "playAudio",
            {"prompt": env.prompt("please_hold")["id"]},
            [env.prompt("please_hold")],
            default="a-hold",
        ),
        action(
            "a-hold",
            "Hold Music",
            "holdMusic",
            {"prompt": hold["id"], "seconds": 45 if n >= 2 else 60},
            [hold],
            default="a-wait-check",
        ),
        action(
            "a-wait-check",
            "Long Wait?",
            "decision",
            {"expression": "Call.EstimatedWaitTime > 300"},
            yes=exit_to,
            no="a-please-hold",
        ),
        action("a-disconnect", "Disconnect", "disconnect"),
    ]
    if callback:
        cb = env.data("Create Callback")
        acts.append(
            action(
                "a-cb-create",
                "Create Callback",
                "callData",
                {"dataAction": cb["id"], "inputs": {"queue": "Callbacks"}},
                [cb],
                success="a-cb-done",
                failure="a-hold",
                timeout="a-hold",
            )
        )
        acts.append(
            action(
                "a-cb-done",
                "Callback Booked",
                "playAudio",
                {"text": "We will call you back."},
                default="a-disconnect",
            )
        )
    else:
        acts.append(
            action(
                "a-voicemail",
                "Voicemail Notice",
                "playAudio",
                {"text": "Please leave a message after the tone."},
                default="a-disconnect",
            )
        )
    return configuration(
        flow=meta(flow),
        start="st-initial",
        states=[container("st-initial", "Initial State", "state", acts)],
    )
