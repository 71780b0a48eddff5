"""The save validator's rules, one at a time, on small scripts built in the test."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cxops.emulator.cxone.builder import ScriptBuilder
from cxops.emulator.cxone.expressions import check_code, check_template
from cxops.emulator.cxone.validate import validate


def _codes(script: dict[str, Any], known: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(p.key, p.code) for p in validate(script, lambda path: path in known)]


def _linear(*kinds: tuple[str, dict[str, Any]]) -> ScriptBuilder:
    b = ScriptBuilder("Test\\Linear")
    ids = [b.add(kind, kind.title(), **props) for kind, props in kinds]
    for a, c in itertools.pairwise(ids):
        b.link(a, c)
    return b


def test_a_clean_script_has_no_problems() -> None:
    """BEGIN → PLAY → HANGUP with its required properties validates clean."""
    b = _linear(("BEGIN", {}), ("PLAY", {"Sequence": '"hi.wav"'}), ("HANGUP", {}))
    assert _codes(b.build(1, 1)) == []


def test_missing_begin_is_a_header_error() -> None:
    """Without BEGIN the script-level error is keyed 'header' and nothing is 'unreachable'."""
    b = _linear(("PLAY", {"Sequence": '"hi.wav"'}), ("HANGUP", {}))
    assert _codes(b.build(1, 1)) == [("header", "NO_BEGIN")]


def test_second_begin_is_an_error_on_that_action() -> None:
    """Only one BEGIN is allowed."""
    b = _linear(("BEGIN", {}), ("BEGIN", {}), ("END", {}))
    assert ("2", "MULTIPLE_BEGIN") in _codes(b.build(1, 1))


def test_required_properties_per_action_type() -> None:
    """A blank prompt, skill, expression or script name is REQUIRED_PROPERTY_MISSING."""
    b = _linear(
        ("BEGIN", {}),
        ("MENU", {"Sequence": "", "Phrase": "  "}),
        ("REQAGENT", {"Skill": ""}),
        ("IF", {}),
        ("RUNSUB", {"ScriptName": ""}),
        ("END", {}),
    )
    codes = _codes(b.build(1, 1))
    assert [k for k, c in codes if c == "REQUIRED_PROPERTY_MISSING"] == ["2", "3", "4", "5"]


def test_menu_accepts_a_phrase_instead_of_a_sequence() -> None:
    """Either prompt property satisfies MENU."""
    b = _linear(("BEGIN", {}), ("MENU", {"Phrase": "Press 1"}), ("END", {}))
    assert _codes(b.build(1, 1)) == []


def test_unknown_and_deprecated_action_types() -> None:
    """An unknown type is an error; TTS is accepted with a deprecation warning."""
    b = _linear(("BEGIN", {}), ("FLY", {}), ("TTS", {}), ("END", {}))
    assert _codes(b.build(1, 1)) == [("2", "UNKNOWN_ACTION"), ("3", "DEPRECATED_ACTION")]


def test_branch_to_a_missing_action_and_branches_of_a_missing_action() -> None:
    """Both ends of a dangling connection are reported."""
    b = _linear(("BEGIN", {}), ("END", {}))
    b.link(1, 7, "OnError")
    script = b.build(1, 1)
    script["branches"]["9"] = [{"to": 1, "label": "", "type": "default", "index": 0}]
    assert _codes(script) == [("1", "BRANCH_TARGET_MISSING"), ("9", "BRANCH_TARGET_MISSING")]


def test_unreachable_actions_are_warnings_and_onrelease_is_an_entry() -> None:
    """Actions off every path from BEGIN warn; an ONRELEASE handler and its chain do not."""
    b = _linear(("BEGIN", {}), ("END", {}))
    lost = b.add("PLAY", "Lost", Sequence='"x.wav"')
    handler = b.add("ONRELEASE", "On release")
    tail = b.add("END", "End")
    b.link(handler, tail)
    assert _codes(b.build(1, 1)) == [
        (str(lost), "BRANCH_NOT_CONNECTED"),
        (str(lost), "UNREACHABLE_ACTION"),
    ]


def test_an_action_that_leads_nowhere_warns_branch_not_connected() -> None:
    """A PLAY with no connection warns (the contact would stop there); ends do not."""
    b = _linear(("BEGIN", {}), ("PLAY", {"Sequence": '"x.wav"'}))
    assert _codes(b.build(1, 1)) == [("2", "BRANCH_NOT_CONNECTED")]
    for end in ("HANGUP", "END", "RETURN"):
        assert _codes(_linear(("BEGIN", {}), (end, {})).build(1, 1)) == [], end


def test_calls_to_unknown_scripts_fail_and_known_ones_pass() -> None:
    """RUNSUB/SPAWN/RUNSCRIPT targets must be stored scripts."""
    b = _linear(
        ("BEGIN", {}),
        ("RUNSUB", {"ScriptName": "Common\\A"}),
        ("SPAWN", {"ScriptName": "Common\\B"}),
        ("RUNSCRIPT", {"ScriptName": "Common\\A"}),
    )
    assert _codes(b.build(1, 1), known=("Common\\A",)) == [("3", "SCRIPT_NOT_FOUND")]


def test_expression_errors_carry_property_line_and_column() -> None:
    """SNIPPET, IF and ASSIGN values are syntax-checked and located."""
    b = _linear(
        ("BEGIN", {}),
        ("SNIPPET", {"Data": 'ASSIGN X = "ok"\nASSIGN Y = "open'}),
        ("IF", {"Expression": "(A > 1"}),
        ("ASSIGN", {"Variable": "Z", "Value": "total {A + (B}"}),
        ("END", {}),
    )
    found = {p.key: p.extra for p in validate(b.build(1, 1), lambda _: True)}
    assert found["2"] == {"property": "Data", "line": 2, "column": 12}
    assert found["3"] == {"property": "Expression", "line": 1, "column": 1}
    assert found["4"]["property"] == "Value" and found["4"]["column"] == 12  # the "(" inside {...}


def test_validation_output_is_sorted_and_repeatable() -> None:
    """Problems come sorted by numeric action id, the same on every run."""
    b = ScriptBuilder("Test\\Many")
    b.add("BEGIN", "Begin")
    for _ in range(11):
        b.add("FLY", "Unknown")
    script = b.build(1, 1)
    first = [p.key for p in validate(script, lambda _: True)]
    assert first == sorted(first, key=int)
    assert validate(script, lambda _: True) == validate(script, lambda _: True)


def test_code_checker_finds_the_first_structural_error() -> None:
    """Brackets, quotes and comments, with 1-based positions."""
    assert check_code('IF (A = "(") { B = 1 }') is None
    assert check_code("X = 1 // it's a comment (") is None
    wrong = check_code("f(a]")
    assert wrong is not None and wrong.column == 4
    unclosed = check_code('A = "x\nB = 2')
    assert unclosed is not None and (unclosed.line, unclosed.column) == (1, 5)
    assert check_template("plain text, no braces") is None
    assert check_template("{A}}") is not None


@given(st.lists(st.sampled_from(["(", "[", "{"]), max_size=12), st.text("abc +=", max_size=8))
def test_balanced_nesting_passes_and_one_missing_closer_fails(
    openers: list[str], filler: str
) -> None:
    """Any properly nested bracket string is clean; dropping its last closer is an error."""
    closers = "".join({"(": ")", "[": "]", "{": "}"}[o] for o in reversed(openers))
    text = "".join(openers) + filler + closers
    assert check_code(text) is None
    if openers:
        assert check_code(text[:-1]) is not None


_JUNK = st.one_of(st.none(), st.integers(-3, 12), st.text("0123456789abc", max_size=3))
_BRANCH = st.one_of(
    _JUNK,
    st.fixed_dictionaries({"to": _JUNK, "label": _JUNK, "type": _JUNK, "index": _JUNK}),
)
_SCRIPT = st.fixed_dictionaries(
    {
        "header": st.just({"scriptName": "Fuzz\\Script"}),
        "actions": st.dictionaries(
            st.text("0123456789", min_size=1, max_size=2),
            st.one_of(
                _JUNK,
                st.fixed_dictionaries(
                    {"name": st.sampled_from(["BEGIN", "MENU", "IF", "RUNSUB", "FLY", "END"])}
                ),
            ),
            max_size=6,
        ),
        "properties": st.dictionaries(
            st.text("0123456789", min_size=1, max_size=2),
            st.one_of(
                _JUNK,
                st.dictionaries(
                    st.text("01", max_size=1),
                    st.fixed_dictionaries(
                        {
                            "name": st.sampled_from(["Data", "Expression", "ScriptName", "Phrase"]),
                            "value": st.one_of(_JUNK, st.text("(){}[]\"' x\n/", max_size=10)),
                        }
                    ),
                ),
            ),
            max_size=6,
        ),
        "branches": st.dictionaries(
            st.text("0123456789", min_size=1, max_size=2),
            st.one_of(_JUNK, st.lists(_BRANCH, max_size=3)),
            max_size=6,
        ),
    }
)


@given(_SCRIPT)
def test_validator_never_crashes_and_is_deterministic(script: dict[str, Any]) -> None:
    """Any object-shaped script gets a sorted list of problems, the same every time."""
    first = validate(script, lambda path: path.endswith("A"))
    assert first == validate(script, lambda path: path.endswith("A"))
    assert all(p.severity in ("Error", "Warning") for p in first)
