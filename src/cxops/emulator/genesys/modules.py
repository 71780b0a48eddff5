"""Fixture common modules: caller authentication and business hours."""

from __future__ import annotations

from cxops.emulator.genesys.configs import Config, action, configuration, container
from cxops.emulator.genesys.env import Env, meta
from cxops.emulator.genesys.state import Flow


def authenticate_caller(env: Env, flow: Flow, n: int) -> Config:
    """Common module: PIN entry and verification; v2 adds up to three attempts."""
    pin, verify = env.prompt("enter_pin"), env.data("Verify Caller PIN")
    on_fail = "a-retry" if n >= 2 else "a-fail-msg"
    acts = [
        action(
            "a-ask-pin", "Ask PIN", "playAudio", {"prompt": pin["id"]}, [pin], default="a-verify"
        ),
        action(
            "a-verify",
            "Verify PIN",
            "callData",
            {"dataAction": verify["id"], "inputs": {"pin": "Task.pin"}},
            [verify],
            success="a-set-auth",
            failure=on_fail,
            timeout=on_fail,
        ),
        action(
            "a-set-auth",
            "Mark Authenticated",
            "setVariable",
            {"variable": "Flow.authenticated", "expression": "true"},
            default="a-end",
        ),
        action(
            "a-fail-msg",
            "Not Verified",
            "playAudio",
            {"text": "Sorry, we could not verify you."},
            default="a-end",
        ),
        action("a-end", "End Task", "endTask"),
    ]
    if n >= 2:
        acts.append(
            action(
                "a-retry",
                "Retry?",
                "decision",
                {"expression": "Task.attempts < 3"},
                yes="a-ask-pin",
                no="a-fail-msg",
            )
        )
    return configuration(
        flow=meta(flow),
        start="tk-main",
        tasks=[container("tk-main", "Authenticate", "task", acts)],
    )


def business_hours(env: Env, flow: Flow, n: int) -> Config:
    """Common module: schedule check; v2 adds a holiday check, v3 an emergency flag."""
    first = "a-emergency" if n >= 3 else ("a-holiday" if n >= 2 else "a-schedule")
    acts = [
        action(
            "a-schedule",
            "In Schedule?",
            "decision",
            {"expression": 'Evaluate.Schedule("Office Hours")'},
            yes="a-set-open",
            no="a-set-closed",
        ),
        action(
            "a-set-open",
            "Open",
            "setVariable",
            {"variable": "Flow.isOpen", "expression": "true"},
            default="a-end",
        ),
        action(
            "a-set-closed",
            "Closed",
            "setVariable",
            {"variable": "Flow.isOpen", "expression": "false"},
            default="a-end",
        ),
        action("a-end", "End Task", "endTask"),
    ]
    if n >= 2:
        acts.append(
            action(
                "a-holiday",
                "Holiday?",
                "decision",
                {"expression": 'Evaluate.ScheduleGroup("Holidays")'},
                yes="a-set-closed",
                no="a-schedule",
            )
        )
    if n >= 3:
        acts.append(
            action(
                "a-emergency",
                "Emergency?",
                "decision",
                {"expression": "Flow.emergency"},
                yes="a-set-closed",
                no="a-holiday",
            )
        )
    acts.sort(key=lambda a: a["id"] != first)  # the entry action comes first
    return configuration(
        flow=meta(flow),
        start="tk-main",
        tasks=[container("tk-main", "Business Hours", "task", acts)],
    )
