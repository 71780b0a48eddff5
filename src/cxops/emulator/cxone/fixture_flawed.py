"""Deliberately flawed scripts of the ``dev`` business unit, and :data:`FLAWS` naming each flaw.

Action ids here are fixed (never drawn from the seed) so that :data:`FLAWS`, which other rooms'
tests assert, is a constant. Each flaw is real: the emulator's own validator finds the CX201 /
CX202 ones on save, and the call graph of the stored scripts has the CX101 / CX105 ones.

Such scripts could not have been saved through Studio; in the fixture they were "imported before
the rules changed", which is exactly when a compile gate earns its keep.
"""

from __future__ import annotations

from typing import Any

from cxops.emulator.cxone.builder import ScriptBuilder


def broken_menu() -> ScriptBuilder:
    """Fails validation (409) with four errors of four codes on four actions, and one warning
    (action 7 cannot be reached)."""
    b = ScriptBuilder("Flawed\\Broken_Menu")
    b.add("BEGIN", "Begin", at=1)
    b.add(
        "SNIPPET",
        "Greeting by hour",
        at=2,
        Data='ASSIGN GREETING = "Welcome"\nIF (hour(now()) < 12 {\n  GREETING = "Good morning"\n}',
    )
    b.add("MENU", "Main menu", at=3, Sequence="", Phrase="", MaxDigits="1", Variable="CHOICE")
    b.add("PLAYBACK", "Play balance", at=4, Sequence='"balance.wav"')
    b.add("REQAGENT", "Support queue", at=5, Skill="Support_EN")
    b.add("HANGUP", "Hang up", at=6)
    b.add("PLAY", "Old notice", at=7, Sequence='"notice_2023.wav"')
    b.link(1, 2)
    b.link(2, 3)
    b.link(3, 4, "1")
    b.link(3, 5, "2")
    b.link(3, 6, "OnTimeout")
    b.link(3, 6, "OnInvalid")
    b.link(4, 6)
    b.link(5, 6)
    b.link(5, 99, "OnError")
    b.link(7, 6)
    return b


def legacy_prompts() -> ScriptBuilder:
    """Saves with warnings (206): two deprecated action types, and a PLAY that leads nowhere."""
    b = ScriptBuilder("Flawed\\Legacy_Prompts")
    b.add("BEGIN", "Begin", at=1)
    b.add("TTS", "Legacy greeting", at=2, Text="Welcome to Acme", Voice="Joanna")
    b.add("MENU", "Hours menu", at=3, Sequence='"hours_menu.wav"', MaxDigits="1", Variable="C")
    b.add("SAPI", "Legacy hours", at=4, Text="We are open from eight to six")
    b.add("HANGUP", "Hang up", at=5)
    b.add("PLAY", "Survey offer", at=6, Sequence='"survey.wav"')
    b.link(1, 2)
    b.link(2, 3)
    b.link(3, 4, "1")
    b.link(3, 6, "2")
    b.link(3, 5, "OnTimeout")
    b.link(3, 5, "OnInvalid")
    b.link(4, 5)
    return b


def orphan_actions() -> ScriptBuilder:
    """Saves with warnings (206): actions 5 and 6 cannot be reached from BEGIN."""
    b = ScriptBuilder("Flawed\\Orphan_Actions")
    b.add("BEGIN", "Begin", at=1)
    b.add("PLAY", "Welcome", at=2, Sequence='"welcome.wav"')
    b.add("REQAGENT", "Support queue", at=3, Skill="Support_EN")
    b.add("HANGUP", "Hang up", at=4)
    b.add("PLAY", "Old promo", at=5, Sequence='"promo_2023.wav"')
    b.add("HANGUP", "Old goodbye", at=6)
    b.link(1, 2)
    b.link(2, 3)
    b.link(3, 4)
    b.link(3, 4, "OnError")
    b.link(5, 6)
    return b


def cycle_a() -> ScriptBuilder:
    """Runs Cycle_B, which runs Cycle_A again: valid on save, a call cycle in the graph."""
    b = ScriptBuilder("Flawed\\Cycle_A")
    b.add("BEGIN", "Begin", at=1)
    b.add("PLAY", "Intro", at=2, Sequence='"intro.wav"')
    b.add("RUNSUB", "Run B", at=3, ScriptName="Flawed\\Cycle_B", ReturnVariable="RB")
    b.add("HANGUP", "Hang up", at=4)
    b.link(1, 2)
    b.link(2, 3)
    b.link(3, 4)
    return b


def cycle_b() -> ScriptBuilder:
    b = ScriptBuilder("Flawed\\Cycle_B")
    b.add("BEGIN", "Begin", at=1)
    b.add("IF", "Again?", at=2, Expression='MODE = "again"')
    b.add("RUNSUB", "Run A", at=3, ScriptName="Flawed\\Cycle_A", ReturnVariable="RA")
    b.add("RETURN", "Return", at=4, ReturnValue="done")
    b.link(1, 2)
    b.link(2, 3, "True")
    b.link(2, 4, "False")
    b.link(3, 4)
    return b


def missing_sub() -> ScriptBuilder:
    """Calls a script that was deleted: a dangling reference, and a 409 on save."""
    b = ScriptBuilder("Flawed\\Missing_Sub")
    b.add("BEGIN", "Begin", at=1)
    b.add("RUNSUB", "Survey", at=2, ScriptName="Common\\Retired_Survey", ReturnVariable="S")
    b.add("HANGUP", "Hang up", at=3)
    b.link(1, 2)
    b.link(2, 3)
    return b


FLAWED = [broken_menu, legacy_prompts, orphan_actions, cycle_a, cycle_b, missing_sub]


def _flaw(flow: str, node: str | None, code: str, what: str) -> dict[str, Any]:
    return {
        "vendor": "cxone",
        "tenant": "dev",
        "project": flow.split("\\", 1)[0] if "\\" in flow else "default",
        "flow": flow,
        "node": node,
        "code": code,
        "what": what,
    }


FLAWS: list[dict[str, Any]] = [
    _flaw("Flawed\\Broken_Menu", "2", "CX201", "SNIPPET 'Greeting by hour' leaves '(' unclosed"),
    _flaw("Flawed\\Broken_Menu", "3", "CX201", "MENU 'Main menu' has no prompt"),
    _flaw("Flawed\\Broken_Menu", "4", "CX201", "Action 4 has unknown type PLAYBACK"),
    _flaw("Flawed\\Broken_Menu", "5", "CX201", "REQAGENT OnError branch goes to missing action 99"),
    _flaw("Flawed\\Broken_Menu", "7", "CX104", "PLAY 'Old notice' is unreachable from BEGIN"),
    _flaw("Flawed\\Broken_Menu", "7", "CX202", "Studio warns that action 7 is unreachable"),
    _flaw("Flawed\\Legacy_Prompts", "2", "CX202", "Action 2 uses deprecated action type TTS"),
    _flaw("Flawed\\Legacy_Prompts", "4", "CX202", "Action 4 uses deprecated action type SAPI"),
    _flaw("Flawed\\Legacy_Prompts", "6", "CX202", "PLAY 'Survey offer' has no connected branch"),
    _flaw("Flawed\\Orphan_Actions", "5", "CX104", "PLAY 'Old promo' is unreachable from BEGIN"),
    _flaw("Flawed\\Orphan_Actions", "6", "CX104", "HANGUP 'Old goodbye' is unreachable"),
    _flaw("Flawed\\Orphan_Actions", "5", "CX202", "Studio warns that action 5 is unreachable"),
    _flaw("Flawed\\Orphan_Actions", "6", "CX202", "Studio warns that action 6 is unreachable"),
    _flaw(
        "Flawed\\Cycle_A",
        "3",
        "CX101",
        "Flawed\\Cycle_A runs Flawed\\Cycle_B (action 3), which runs Flawed\\Cycle_A (action 3)",
    ),
    _flaw(
        "Flawed\\Missing_Sub",
        "2",
        "CX105",
        "RUNSUB 'Survey' calls Common\\Retired_Survey, which does not exist",
    ),
    _flaw("Flawed\\Missing_Sub", "2", "CX201", "Save fails: the called script does not exist"),
]
