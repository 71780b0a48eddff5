"""Pure parts of the Genesys strategy: flow order with cycles, stage names, the tests doc."""

from __future__ import annotations

from typing import Any

import pytest

from cxops.errors import InputError, ProtocolError
from cxops.model.bundle import Flow, Node, Ref
from cxops.pipelines.promote.genesys_conversations import load_conversations
from cxops.pipelines.promote.genesys_portable import order, stage_flow


def _flow(fid: str, name: str, kind: str, calls: list[tuple[str, str]]) -> Flow:
    refs = [Ref(kind="flow", id=cid, name=cname) for cid, cname in calls]
    raw: list[Any] = [{"type": "COMMONMODULEFLOW", "id": c, "name": n} for c, n in calls]
    node = Node(id="a-1", type="callCommonModule", properties={"refs": raw}, refs=refs)
    return Flow(
        id=fid,
        name=name,
        kind=f"genesys.{kind.lower()}",
        nodes=[node],
        properties={"configuration": {"id": fid, "type": kind}},
    )


def test_order_puts_callees_first_and_breaks_cycles_by_key() -> None:
    """A caller after its callees, whatever the input order; a cycle still yields every flow."""
    ivr = _flow("f1", "Main", "INBOUNDCALL", [("f2", "Auth"), ("f3", "Hours")])
    auth = _flow("f2", "Auth", "COMMONMODULE", [("f3", "Hours")])
    hours = _flow("f3", "Hours", "COMMONMODULE", [])
    names = [f.name for f in order([ivr, auth, hours])]
    assert names == ["Hours", "Auth", "Main"]
    a = _flow("c1", "Cycle A", "COMMONMODULE", [("c2", "Cycle B")])
    b = _flow("c2", "Cycle B", "COMMONMODULE", [("c1", "Cycle A")])
    caller = _flow("c3", "Caller", "INBOUNDCALL", [("c1", "Cycle A")])
    names = [f.name for f in order([caller, b, a])]
    assert sorted(names) == ["Caller", "Cycle A", "Cycle B"]
    assert names.index("Cycle A") < names.index("Caller")


def test_stage_names_parse_and_unknown_ones_fail() -> None:
    """Stage names are ``import:``/``publish:`` and a flow key; anything else is an error."""
    assert stage_flow("publish:DIGITALBOT/Order Status Bot") == (
        "publish",
        "DIGITALBOT/Order Status Bot",
    )
    with pytest.raises(ProtocolError, match="unknown stage"):
        stage_flow("merge:package")


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        ({"genesys": []}, "'genesys' must be a mapping"),
        ({"genesys": {"conversations": {}}}, "must be a list"),
        ({"genesys": {"conversations": [{"flow": "Bot"}]}}, "#1: needs 'flow' and 'turns'"),
        (
            {"genesys": {"conversations": [{"flow": "Bot", "turns": [{}, {"expect": ["x"]}]}]}},
            "#1 turn 2: every turn but the first needs 'say'",
        ),
    ],
)
def test_bad_tests_section_is_an_input_error_saying_where(doc: dict[str, Any], says: str) -> None:
    """A malformed ``genesys:`` section names what is wrong and where."""
    with pytest.raises(InputError, match=says):
        load_conversations(doc)


def test_no_section_means_no_conversations() -> None:
    """Without a ``genesys:`` section there is nothing to run (the gates say skipped)."""
    assert load_conversations({"min_success_rate": 90}) == ([], {})
