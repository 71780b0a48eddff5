"""The healthy IVR scripts of the fixture business units, in two generations.

Generation 1 is what ``prod`` runs; generation 2 is ``dev``'s newer work (a call logger, a
callback offer, Spanish support), so promotion has real differences to carry. Every script here
validates clean in both generations: menus re-prompt a bounded number of times and then leave,
sub-script calls go to scripts of the same generation.
"""

from __future__ import annotations

from collections.abc import Callable

from cxops.emulator.cxone.builder import ScriptBuilder

Maker = Callable[[int], ScriptBuilder]


def _menu(
    b: ScriptBuilder,
    label: str,
    prompt: str,
    phrase: str,
    options: dict[str, int],
    give_up: int,
    counter: str = "RETRIES",
) -> tuple[int, int]:
    """A MENU that re-prompts on timeout or an invalid digit, at most three times, then leaves
    to ``give_up``. Returns the id that enters the menu (the counter reset) and the MENU's."""
    reset = b.add("ASSIGN", f"Reset {counter}", Variable=counter, Value="0", Type="Integer")
    menu = b.add(
        "MENU",
        label,
        Sequence=f'"{prompt}"',
        Phrase=phrase,
        ClearDigits="True",
        MaxDigits="1",
        Terminator="#",
        Timeout="5",
        InterDigitTimeout="3",
        Variable="MENUCHOICE",
    )
    b.link(reset, menu)
    for digit, target in options.items():
        b.link(menu, target, digit)
    bump = b.add(
        "ASSIGN", f"Count {counter}", Variable=counter, Value=f"{{{counter} + 1}}", Type="Integer"
    )
    b.link(menu, bump, "OnTimeout")
    b.link(menu, bump, "OnInvalid")
    again = b.add("IF", "Try again?", Expression=f"{counter} < 3")
    b.link(bump, again)
    b.link(again, menu, "True")
    b.link(again, give_up, "False")
    return reset, menu


def _queue(b: ScriptBuilder, label: str, skill: str, fallback: int) -> int:
    agent = b.add("REQAGENT", label, Skill=skill, InitialPriority="0", Acceleration="1")
    hold = b.add("MUSIC", "Hold music", MusicFile='"hold_loop.wav"', SecondstoPlay="60")
    b.link(agent, hold)
    b.link(agent, fallback, "OnError")
    b.link(hold, fallback)  # an agent answering takes the call out of the script first
    return agent


def _goodbye(b: ScriptBuilder, text: str = "Thank you for calling. Goodbye.") -> int:
    play = b.add("PLAY", "Goodbye", Sequence='"goodbye.wav"', Phrase=text)
    hangup = b.add("HANGUP", "Hang up")
    b.link(play, hangup)
    return play


def ivr_main(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Main\\IVR_Main")
    begin = b.add("BEGIN", "Begin", RootFolder="", Application="Main")
    welcome = b.add("PLAY", "Welcome", Sequence='"welcome.wav"', Phrase="Welcome to Acme.")
    hours = b.add("RUNSUB", "Check hours", ScriptName="Common\\Check_Hours", ReturnVariable="OPEN")
    is_open = b.add("IF", "Open?", Expression='OPEN = "1"')
    closed = b.add("RUNSCRIPT", "After hours", ScriptName="Main\\After_Hours")
    bye = _goodbye(b)
    pin = b.add("RUNSUB", "Authenticate", ScriptName="Common\\Auth_PIN", ReturnVariable="AUTH")
    billing = _queue(b, "Billing queue", "Billing_Voice", bye)
    support = b.add("RUNSCRIPT", "Support", ScriptName="Support\\Support_Main")
    sales = b.add("RUNSCRIPT", "Sales", ScriptName="Sales\\Sales_Menu")
    options = {"1": pin, "2": support, "3": sales}
    if gen >= 2:
        callback = b.add("RUNSCRIPT", "Callback", ScriptName="Sales\\Callback_Offer")
        options["4"] = callback
    menu, _ = _menu(
        b, "Main menu", "main_menu.wav", "For billing press 1, support 2.", options, bye
    )
    if gen >= 2:
        log = b.add("SPAWN", "Log call", ScriptName="Common\\Log_Call", SpawnIdVariable="SPAWNID")
        b.link(begin, log)
        b.link(log, welcome)
    else:
        b.link(begin, welcome)
    b.link(welcome, hours)
    b.link(hours, is_open)
    b.link(hours, bye, "OnError")
    b.link(is_open, menu, "True")
    b.link(is_open, closed, "False")
    b.link(pin, billing)
    b.link(pin, bye, "OnError")
    return b


def after_hours(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Main\\After_Hours")
    begin = b.add("BEGIN", "Begin")
    closed = b.add("PLAY", "Closed", Sequence='"closed.wav"', Phrase="We are closed.")
    bye = _goodbye(b)
    voicemail = b.add("TRANSFER", "Voicemail", PhoneNumber="+18005550199")
    b.link(voicemail, bye, "OnError")
    menu, _ = _menu(
        b,
        "Closed menu",
        "closed_menu.wav",
        "Press 1 to leave a message.",
        {"1": voicemail, "2": bye},
        bye,
    )
    b.link(begin, closed)
    b.link(closed, menu)
    return b


def emergency_closure(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Main\\Emergency_Closure")
    begin = b.add("BEGIN", "Begin")
    notice = b.add(
        "PLAY", "Closure notice", Sequence='"emergency.wav"', Phrase="Our offices are closed today."
    )
    hangup = b.add("HANGUP", "Hang up")
    released = b.add("ONRELEASE", "On release")
    log = b.add("SNIPPET", "Log release", Data='ASSIGN REASON = "caller hung up"\nTRACE(REASON)')
    end = b.add("END", "End")
    b.link(begin, notice)
    b.link(notice, hangup)
    b.link(released, log)
    b.link(log, end)
    return b


def auth_pin(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Common\\Auth_PIN")
    begin = b.add("BEGIN", "Begin")
    fail = b.add("RETURN", "Not verified", ReturnValue="FAIL")
    ok = b.add("RETURN", "Verified", ReturnValue="OK")
    check = b.add(
        "SNIPPET",
        "Check PIN",
        Data="ASSIGN VALID = 0\nIF (PIN.length = 4) & (PIN = ACCOUNTPIN)\n{\n  VALID = 1\n}",
    )
    valid = b.add("IF", "PIN valid?", Expression="VALID = 1")
    digits = dict.fromkeys("0123456789", check)  # a PIN is any four digits
    menu, _ = _menu(
        b, "Enter PIN", "enter_pin.wav", "Please enter your PIN.", digits, fail, "PINTRIES"
    )
    b.link(begin, menu)
    b.link(check, valid)
    b.link(valid, ok, "True")
    b.link(valid, menu, "False")
    return b


def check_hours(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Common\\Check_Hours")
    begin = b.add("BEGIN", "Begin")
    now = b.add(
        "SNIPPET", "Local time", Data="ASSIGN HOUR = hour(now())\nASSIGN DAY = dayofweek(now())"
    )
    case = b.add("CASE", "Weekday?", Value="DAY")
    weekday = b.add("IF", "Office hours?", Expression="(HOUR >= 8) & (HOUR < 18)")
    open_ = b.add("RETURN", "Open", ReturnValue="1")
    closed = b.add("RETURN", "Closed", ReturnValue="0")
    b.link(begin, now)
    b.link(now, case)
    for day in ("2", "3", "4", "5", "6"):
        b.link(case, weekday, day)
    b.link(case, closed, "Default")
    b.link(weekday, open_, "True")
    b.link(weekday, closed, "False")
    return b


def log_call(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Common\\Log_Call")
    begin = b.add("BEGIN", "Begin")
    log = b.add("SNIPPET", "Build record", Data='ASSIGN RECORD = "{ANI}|{DNIS}|{CONTACTID}"')
    end = b.add("END", "End")
    b.link(begin, log)
    b.link(log, end)
    return b


def language_select(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Common\\Language_Select")
    begin = b.add("BEGIN", "Begin")
    english = b.add("RETURN", "English", ReturnValue="en")
    spanish = b.add("RETURN", "Spanish", ReturnValue="es")
    menu, _ = _menu(
        b,
        "Language",
        "language.wav",
        "For English press 1. Para español oprima 2.",
        {"1": english, "2": spanish},
        english,
    )
    b.link(begin, menu)
    return b


def callback_queue(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Common\\Callback_Queue")
    begin = b.add("BEGIN", "Begin")
    wait = b.add("WAIT", "Wait for slot", Seconds="120")
    record = b.add("ASSIGN", "Callback number", Variable="CALLBACK", Value="{ANI}", Type="String")
    end = b.add("END", "End")
    b.link(begin, wait)
    b.link(wait, record)
    b.link(record, end)
    return b


def sales_menu(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Sales\\Sales_Menu")
    begin = b.add("BEGIN", "Begin")
    bye = _goodbye(b)
    new = _queue(b, "New customers", "Sales_New", bye)
    upgrade = _queue(b, "Upgrades", "Sales_Upgrade", bye)
    menu, _ = _menu(
        b,
        "Sales menu",
        "sales_menu.wav",
        "New service press 1, upgrades press 2.",
        {"1": new, "2": upgrade},
        bye,
    )
    b.link(begin, menu)
    return b


def callback_offer(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Sales\\Callback_Offer")
    begin = b.add("BEGIN", "Begin")
    bye = _goodbye(b, "We will call you back shortly.")
    spawn = b.add(
        "SPAWN", "Queue callback", ScriptName="Common\\Callback_Queue", SpawnIdVariable="CBID"
    )
    b.link(spawn, bye)
    menu, _ = _menu(
        b, "Offer callback", "callback.wav", "Press 1 for a callback.", {"1": spawn}, bye
    )
    b.link(begin, menu)
    return b


def support_main(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Support\\Support_Main")
    begin = b.add("BEGIN", "Begin")
    outage = b.add("IF", "Outage?", Expression='OUTAGEFLAG = "1"')
    notice = b.add("RUNSCRIPT", "Outage notice", ScriptName="Support\\Outage_Message")
    bye = _goodbye(b)
    english = _queue(b, "Support EN", "Support_EN", bye)
    b.link(begin, outage)
    b.link(outage, notice, "True")
    if gen >= 2:
        lang = b.add(
            "RUNSUB", "Language", ScriptName="Common\\Language_Select", ReturnVariable="LANG"
        )
        case = b.add("CASE", "Which language?", Value="LANG")
        spanish = _queue(b, "Support ES", "Support_ES", bye)
        b.link(outage, lang, "False")
        b.link(lang, case)
        b.link(lang, english, "OnError")
        b.link(case, spanish, "es")
        b.link(case, english, "Default")
    else:
        b.link(outage, english, "False")
    return b


def outage_message(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Support\\Outage_Message")
    begin = b.add("BEGIN", "Begin")
    bye = _goodbye(b, "We are aware of an outage in your area and are working on it.")
    b.link(begin, bye)
    return b


def billing_main(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Billing\\Billing_Main")
    begin = b.add("BEGIN", "Begin")
    pin = b.add("RUNSUB", "Authenticate", ScriptName="Common\\Auth_PIN", ReturnVariable="AUTH")
    bye = _goodbye(b)
    agent = _queue(b, "Billing agent", "Billing_Voice", bye)
    options = {"1": agent}
    if gen >= 2:
        options["2"] = b.add("RUNSCRIPT", "Pay by phone", ScriptName="Billing\\Payment_IVR")
    menu, _ = _menu(b, "Billing menu", "billing_menu.wav", "Agent 1, pay by phone 2.", options, bye)
    b.link(begin, pin)
    b.link(pin, menu)
    b.link(pin, bye, "OnError")
    return b


def payment_ivr(gen: int) -> ScriptBuilder:
    b = ScriptBuilder("Billing\\Payment_IVR")
    begin = b.add("BEGIN", "Begin")
    card = b.add(
        "SNIPPET",
        "Mask card",
        Data='ASSIGN MASKED = "****" + right(CARDNUMBER, 4)\n'
        "ASSIGN AMOUNT = round(BALANCE * 100) / 100",
    )
    ok = b.add("IF", "Amount due?", Expression="AMOUNT > 0")
    confirm = b.add(
        "PLAY", "Confirm", Sequence='"payment_ok.wav"', Phrase="Your payment was received."
    )
    nothing = b.add(
        "PLAY", "Nothing due", Sequence='"nothing_due.wav"', Phrase="You have no balance due."
    )
    hangup = b.add("HANGUP", "Hang up")
    b.link(begin, card)
    b.link(card, ok)
    b.link(ok, confirm, "True")
    b.link(ok, nothing, "False")
    b.link(confirm, hangup)
    b.link(nothing, hangup)
    return b


# (maker, first generation that has the script, generation that last changed it)
SCRIPTS: list[tuple[Maker, int, int]] = [
    (ivr_main, 1, 2),
    (after_hours, 1, 1),
    (emergency_closure, 1, 1),
    (auth_pin, 1, 1),
    (check_hours, 1, 1),
    (log_call, 2, 2),
    (language_select, 2, 2),
    (callback_queue, 1, 1),  # in prod already: nothing calls it there yet
    (sales_menu, 1, 1),
    (callback_offer, 2, 2),
    (support_main, 1, 2),
    (outage_message, 1, 1),
    (billing_main, 1, 2),
    (payment_ivr, 2, 2),  # dev only: Billing_Main (gen 2) calls it, so promote it first
]
