"""Names for people: short ids, field paths, values, labels and the fallback line of a change."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cxops.analysis.names import Names, brief, change_line, field_path, label, short_id
from cxops.model.bundle import Flow, Node


def test_short_ids_cut_hex_and_keep_readable_keys() -> None:
    """A UUID or hex id is cut to 8 characters; a readable key stays whole unless very long."""
    assert short_id("bbcf9c4a-c49e-0a40-7ed7-56654ade60c3") == "bbcf9c4a…"
    assert short_id("2646d831cf6bc550b9f53603") == "2646d831…"
    assert short_id("DIGITALBOT/Order Status Bot") == "DIGITALBOT/Order Status Bot"
    assert short_id("start") == "start"
    assert short_id("x" * 60) == "x" * 45 + "…"


def test_field_paths_and_brief_values() -> None:
    """Pointers read as dotted paths with indexes; values as quoted text, numbers, counts."""
    assert field_path("/comment") == "comment"
    assert field_path("/config/text/0") == "config.text[0]"
    assert field_path("/a~1b/c~0d") == "a/b.c~d"
    assert field_path("/") == "(whole value)"
    assert [brief(v) for v in ("a", 3, True, None, {"k": 1}, [1, 2])] == [
        "'a'", "3", "true", "null", "{1 key}", "[2 items]",
    ]  # fmt: skip
    assert brief("x" * 100) == "'" + "x" * 59 + "…'"
    assert brief("two\nlines") == "'two lines'"


def test_labels_show_the_id_only_when_needed() -> None:
    """A name alone; beside a short id when ambiguous; the id when there is no name."""
    uid = "bbcf9c4a-c49e-0a40-7ed7-56654ade60c3"
    assert label("flow", "Main", uid) == "flow 'Main'"
    assert label("flow", "Main", uid, ambiguous=True) == "flow 'Main' (bbcf9c4a…)"
    assert label("node", None, uid) == "node bbcf9c4a…"


def test_names_of_flows_disambiguate_shared_names() -> None:
    """Two flows of one name, two nodes of one label: each with its id; the rest by name."""
    nodes = [Node(id="n1", type="say", label="Say"), Node(id="n2", type="say", label="Say"),
             Node(id="n3", type="say", label="Greeting")]  # fmt: skip
    flows = [
        Flow(id="f1", name="Main", kind="bot", nodes=nodes),
        Flow(id="f2", name="Main", kind="bot"),
        Flow(id="f3", name="Other", kind="bot"),
    ]
    names = Names.of(flows)
    assert names.flow("f3") == "flow 'Other'"
    assert names.flow("f1") == "flow 'Main' (f1)"
    assert names.node("f1", "n3") == "flow 'Main' (f1) › node 'Greeting'"
    assert names.node_only("f1", "n2") == "node 'Say' (n2)"
    assert names.node_only("f3", "zz") == "node zz"


def test_change_line_falls_back_on_the_fields_of_an_older_change() -> None:
    """A stored change without ``text`` (an older run) reads from its names, else its ids."""
    assert change_line({"text": "added flow 'Main'", "id": "x"}) == "added flow 'Main'"
    old = {"action": "changed", "what": "node", "id": "n1", "flow": "f1", "detail": "label"}
    assert change_line(old) == "changed flow f1 › node n1: label"
    named = {**old, "name": "Greeting", "flow_name": "Main"}
    assert change_line(named) == "changed flow 'Main' › node 'Greeting': label"


@given(st.text(min_size=1, max_size=200), st.uuids())
def test_a_name_is_never_shown_with_a_full_id(name: str, uid: object) -> None:
    """Whatever the name, the label holds at most 8 characters of a UUID, on one line."""
    text = label("flow", name, str(uid), ambiguous=True)
    assert str(uid) not in text and "\n" not in text and "\r" not in text
