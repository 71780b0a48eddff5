"""Parity's differences name what did not match (flow, node, reference, resource) and where, by
name and field, never by id where a name exists (issue #16)."""

from __future__ import annotations

from cxops.model.bundle import Bundle, Flow, Node, Ref, Resource
from cxops.pipelines.promote.parity import parity

UID = "bbcf9c4a-c49e-0a40-7ed7-56654ade60c3"


def _bundle(comment: str, *, extra: bool) -> Bundle:
    node = Node(id=UID, type="say", label="Greeting", properties={"comment": comment},
                refs=[Ref(kind="intent", id="i-1", name="Book")])  # fmt: skip
    flows = [Flow(id="f-main", name="Main", kind="bot", nodes=[node],
                  refs=[Ref(kind="lexicon", id="x-1", name="Cities")])]  # fmt: skip
    if extra:
        flows.append(Flow(id="f-new", name="What's New", kind="bot"))
    lexicon = Resource(kind="lexicon", id="x-1", name="Cities", properties={"size": len(comment)})
    return Bundle(vendor="cognigy", tenant="t", project="p", flows=flows, resources=[lexicon])


def test_differences_read_as_names_and_fields() -> None:
    """A node that differs, a flow missing in the target, a resource that differs: each by
    name; the score counts every unit."""
    got = parity(_bundle("hello", extra=True), _bundle("", extra=False))
    assert got["differences"] == [
        "flow 'What's New': missing in the target",
        "lexicon 'Cities': differs at properties.size",
        "flow 'Main' › node 'Greeting': differs at properties.comment",
    ]
    assert got["compared"] == 5 and got["matched"] == 2  # + flow Main, its lexicon ref
    assert not any("f-main" in d or UID[:8] in d for d in got["differences"])
