"""What cxops declares it reads from Cognigy answers (``cxops.vendors.reads.cognigy``) is in the
official client's types: each field's first segment is a field of the interface of its answer
(``types/index.d.ts`` of the pinned ``@cognigy/rest-api-client``), and each listing's element is
read from the interface the listing returns. Skips without the installed client (fails in CI)."""

from __future__ import annotations

from cxops.vendors.reads import cognigy as reads
from tests.contract.cognigy.test_fields import _fields, _types

#: Each declared answer → the interface of the object its fields are read from.
INTERFACES = {
    reads.PROJECTS: "IProjectIndexItem_2_0",
    reads.PROJECT: "IReadProjectRestReturnValue_2_0",
    reads.FLOWS: "IFlowIndexItem_2_0",
    reads.FLOW: "IReadFlowRestReturnValue_2_0",
    reads.CHART: "IReadChartRestReturnValue_2_0",
    reads.NODE: "IChartNode_2_0",
    reads.INTENTS: "IIntentIndexItem_2_0",
    reads.SENTENCES: "ISentenceIndexItem_2_0",
    reads.LEXICONS: "ILexiconIndexItem_2_0",
    reads.LEXICON: "IReadLexiconRestReturnValue_2_0",
    reads.KEYPHRASES: "ILexiconKeyphraseIndexItem_2_0",
    reads.CONNECTIONS: "IConnectionIndexItem_2_0",
    reads.CONNECTION: "IReadConnectionRestReturnValue_2_0",
}
#: Nested objects: a field under ``<first segment>[]`` is read from this interface.
NESTED = {
    (reads.CHART, "nodes"): "IChartNodeIndexItem_2_0",
    (reads.CHART, "relations"): "IChartNodeRelation_2_0",
}


def test_every_declared_field_is_in_the_clients_types() -> None:
    """Every answer has its interface, and every declared field (nested ones through
    :data:`NESTED`) is a field of it."""
    text = _types()
    assert set(INTERFACES) == set(reads.ANSWERS)
    missing = []
    for answer, interface in INTERFACES.items():
        for field in answer.fields:
            head, _, rest = field.path.partition(".")
            name = head.removesuffix("[]")
            if name not in _fields(text, interface):
                missing.append(f"{answer.route}: {interface} has no {name!r}")
            elif rest:
                nested = NESTED.get((answer, name))
                leaf = rest.split(".")[0].removesuffix("[]")
                if nested is None or leaf not in _fields(text, nested):
                    missing.append(f"{answer.route}: {field.path!r} not in {nested}")
    assert not missing, "\n".join(missing)
