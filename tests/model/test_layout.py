"""Readable file names (layout 2, issue #16): any name, however hostile, gives a safe, unique
file name; the id appears only where names clash."""

from __future__ import annotations

import random
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from cxops.model.bundle import Bundle, Flow
from cxops.model.layout import (
    BUNDLE_FILE,
    MAX_NAME,
    bundle_dir,
    bundle_files,
    flow_file_names,
    slug,
)

HOSTILE = [
    "../../x", "/etc/passwd", "C:\\win", "a\0b", ".git", ".hidden", "_bundle.json", "_bundle",
    "", "   ", "---", "CON", "nul", "com1", "\x1b]0;pwned\x07\x1b[31mred", "\u202etxt.exe",
    "Main", "main", "MAIN", "é", "e\u0301", "Straße", "STRASSE", "😀", "名前", "x" * 1000,
    "ü" * 300, "a--b", "flow--x", "%2E%2E", "Menu\r\n",
]  # fmt: skip


def _flows(names: list[str]) -> list[Flow]:
    return [Flow(id=f"id-{i}", name=n, kind="k") for i, n in enumerate(names)]


def _safe(name: str) -> bool:
    stem = name.removesuffix(".json")
    return (
        name.endswith(".json")
        and name != BUNDLE_FILE
        and name[0] not in "._-"
        and not any(c in name for c in '/\\\0:*?"<>|\r\n\x1b')
        and len(name.encode("utf-8")) <= MAX_NAME + len(".json")
        and stem.casefold() not in ("con", "prn", "aux", "nul", "com1", "lpt1")
    )


def test_the_hostile_corpus_gives_safe_unique_names() -> None:
    """Every hostile name: a safe file name; all distinct even case-folded (a case-insensitive
    file system), so "Main"/"main"/"MAIN", "é" and "e + accent", "Straße"/"STRASSE" each carry
    their id; a plain name keeps no id."""
    names = flow_file_names(_flows(HOSTILE))
    assert all(_safe(n) for n in names.values()), [n for n in names.values() if not _safe(n)]
    assert len({n.casefold() for n in names.values()}) == len(HOSTILE)
    by_name = dict(zip(HOSTILE, (names[f"id-{i}"] for i in range(len(HOSTILE))), strict=True))
    assert by_name["../../x"] == "x.json" and by_name["/etc/passwd"] == "etc-passwd.json"
    assert by_name["_bundle.json"] == "bundle-json.json" and by_name["CON"] == "con-x.json"
    assert by_name["Main"].startswith("main--id-") and by_name["é"].startswith("é--id-")
    assert by_name["Straße"].startswith("strasse--id-")
    assert by_name[""] == f"flow--id-{HOSTILE.index('')}.json"
    # "a--b" and "a<NUL>b" are both "a-b": each carries its id after "--" (a slug never holds
    # "--", so the plain "flow--x" cannot pass for an id either: it is "flow-x").
    assert by_name["a--b"].startswith("a-b--id-") and by_name["flow--x"] == "flow-x.json"


@given(st.lists(st.text(max_size=40), min_size=1, max_size=12))
def test_any_names_give_safe_unique_names_in_any_order(names: list[str]) -> None:
    """Generated names: safe, unique case-folded, the same whatever the listing order."""
    flows = _flows(names)
    got = flow_file_names(flows)
    assert all(_safe(n) for n in got.values())
    assert len({n.casefold() for n in got.values()}) == len(flows)
    shuffled = list(flows)
    random.Random(len(names)).shuffle(shuffled)
    assert flow_file_names(shuffled) == got


@given(st.text(max_size=200))
def test_a_slug_is_letters_digits_and_single_dashes(name: str) -> None:
    """A slug: no leading or trailing dash, never two in a row, letters/digits/marks only."""
    s = slug(name)
    assert not s.startswith("-") and not s.endswith("-") and "--" not in s
    assert all(c == "-" or unicodedata.category(c)[0] in "LMN" for c in s)
    assert len(s.encode("utf-8")) <= 160 + 2


def test_the_project_folder_is_its_name() -> None:
    """Cognigy's project name, Genesys' division name, else the key; the folder holds the
    bundle file and the flows by name; the content does not depend on the names."""
    cognigy = Bundle(vendor="cognigy", tenant="t", project="2646d8",
                     properties={"project": {"name": "Appointment Booking"}})  # fmt: skip
    assert bundle_dir(cognigy) == "flows/cognigy/appointment-booking"
    genesys = Bundle(vendor="genesys", tenant="t", project="Home",
                     properties={"division": {"id": "d1", "name": "Home"}})  # fmt: skip
    assert bundle_dir(genesys) == "flows/genesys/home"
    cxone = Bundle(vendor="cxone", tenant="t", project="Billing")
    assert bundle_dir(cxone, clash=True) == "flows/cxone/billing--Billing"
    flows = [Flow(id="Billing\\Billing_Main", name="Billing\\Billing_Main", kind="k")]
    files = bundle_files(cxone.model_copy(update={"flows": flows}))
    assert sorted(files) == [
        "flows/cxone/billing/_bundle.json",
        "flows/cxone/billing/billing-billing-main.json",
    ]
