"""Fixture digital bots: intents with sample utterances, replies, a fallback and exits."""

from __future__ import annotations

from cxops.emulator.genesys.configs import Config, action, configuration, container, intent_path
from cxops.emulator.genesys.env import Env, meta
from cxops.emulator.genesys.state import Flow

ORDER_INTENTS: list[tuple[str, list[str], str, int]] = [
    (
        "Order Status",
        ["where is my order", "track my order", "order status", "has my order shipped"],
        "Your order is on its way and should arrive within two business days.",
        1,
    ),
    (
        "Cancel Order",
        ["cancel my order", "i want to cancel", "stop my order"],
        "I have asked our team to cancel your order; a confirmation email will follow.",
        1,
    ),
    (
        "Talk to Agent",
        ["talk to an agent", "speak to a person", "human please"],
        "Connecting you to an agent now.",
        2,
    ),
    (
        "Return Item",
        ["return an item", "start a return", "how do i return something"],
        "You can start a return from your account page; I have emailed you the link.",
        3,
    ),
]

BILLING_INTENTS: list[tuple[str, list[str], str, int]] = [
    (
        "Check Balance",
        ["what is my balance", "check my balance", "how much do i owe"],
        "Your current balance is shown in your account; I have sent it to you by text.",
        1,
    ),
    (
        "Pay Bill",
        ["pay my bill", "make a payment", "i want to pay"],
        "You can pay securely at example.com/pay or by calling the billing line.",
        1,
    ),
    ("Goodbye", ["bye", "that is all", "no thanks"], "Thanks for contacting us. Goodbye!", 2),
]


def bot(
    env: Env,
    flow: Flow,
    n: int,
    *,
    intents: list[tuple[str, list[str], str, int]],
    greeting: str,
    data_action: str,
    agent_intent: str,
    bye_intent: str,
) -> Config:
    """Digital bot: greet, ask for an intent, reply, ask again; exits on agent or goodbye."""
    live = [i for i in intents if i[3] <= n]
    data = env.data(data_action)
    acts = [
        action("a-greet", "Greeting", "communicate", {"text": greeting}, default="a-ask"),
        action(
            "a-ask", "Ask For Intent", "askForIntent", {"question": "How can I help you today?"}
        ),
        action(
            "a-fallback",
            "Fallback",
            "communicate",
            {"text": "Sorry, I did not understand that. Could you rephrase?"},
            default="a-ask",
        ),
        action(
            "a-lookup",
            "Lookup",
            "callData",
            {"dataAction": data["id"], "inputs": {}},
            [data],
            success="a-ask",
            failure="a-ask",
            timeout="a-ask",
        ),
    ]
    paths = []
    for i, (name, _, reply, _) in enumerate(live):
        rid = f"a-reply-{i + 1}"
        paths.append(intent_path(name, rid))
        if name in (agent_intent, bye_intent):
            reason = "AgentRequestedByUser" if name == agent_intent else "TriggeredByUser"
            acts.append(
                action(
                    rid, f"Reply {name}", "communicate", {"text": reply}, default=f"a-exit-{i + 1}"
                )
            )
            acts.append(
                action(f"a-exit-{i + 1}", f"Exit {name}", "exitBotFlow", {"reason": reason})
            )
        else:
            nxt = "a-lookup" if i == 0 else "a-ask"
            acts.append(action(rid, f"Reply {name}", "communicate", {"text": reply}, default=nxt))
    no_match = {"label": "No Match", "outputId": "__NOMATCH__", "nextActionId": "a-fallback"}
    acts[1]["paths"] = [*paths, no_match]
    return configuration(
        flow=meta(flow),
        start="st-main",
        states=[container("st-main", "Main", "state", acts)],
        intents=[
            {"id": f"in-{k + 1}", "name": name, "utterances": list(samples)}
            for k, (name, samples, _, _) in enumerate(live)
        ],
    )


def order_bot(env: Env, flow: Flow, n: int) -> Config:
    """Order Status Bot: order status, cancellation, agent hand-off (v2), returns (v3)."""
    return bot(
        env,
        flow,
        n,
        intents=ORDER_INTENTS,
        greeting="Hi, I am the order assistant.",
        data_action="Get Open Orders",
        agent_intent="Talk to Agent",
        bye_intent="",
    )


def billing_bot(env: Env, flow: Flow, n: int) -> Config:
    """Billing Assistant Bot: balance, payment, goodbye (v2)."""
    return bot(
        env,
        flow,
        n,
        intents=BILLING_INTENTS,
        greeting="Hello from Billing.",
        data_action="Get Balance",
        agent_intent="",
        bye_intent="Goodbye",
    )
