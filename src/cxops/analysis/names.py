"""Names for people: how a flow, a node, a field and a value read wherever a person reads.

cxops knows a flow is "Main" and a node "Greeting"; ids are for machines (``--json``). A name is
shown alone, and with a short id beside it only where two things in the same place share it
(two nodes labelled "Say" in one flow, two flows called "Order Status" of different types):
``flow 'Main' › node 'Say' (bbcf9c4a…)``. Something without a name is shown by its id. Pure: no
I/O (issue #16).

Example::

    >>> names = Names.of([flow])                                    # doctest: +SKIP
    >>> names.node("f1", "n1")                                      # doctest: +SKIP
    "flow 'Main' › node 'Greeting'"
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from cxops.model.bundle import Bundle, Flow

__all__ = [
    "SEP",
    "Names",
    "brief",
    "change_line",
    "field_path",
    "label",
    "project_name",
    "quoted",
    "shared",
    "short_id",
]

#: Between a flow and what is inside it: ``flow 'Main' › node 'Greeting'``.
SEP = " › "
#: Longest name or string value shown whole; longer ones end in ``…``.
MAX_TEXT = 60
_HEXISH = re.compile(r"[0-9a-fA-F-]{13,}")


def short_id(value: str) -> str:
    """An id short enough to read beside a name: a UUID or hex id cut to 8 characters
    (``bbcf9c4a…``), also inside a longer key (``d30643ea…/ResetPassword``); a readable key
    (``DIGITALBOT/Order Status``) whole unless very long."""
    if _HEXISH.fullmatch(value):
        return value[:8] + "…"
    value = _HEXISH.sub(lambda m: m[0][:8] + "…" if any(c.isdigit() for c in m[0]) else m[0], value)
    return value if len(value) <= 48 else value[:45] + "…"


def quoted(name: str) -> str:
    """A name between single quotes, cut at :data:`MAX_TEXT` characters and on one line."""
    text = " ".join(name.split()) if "\n" in name or "\r" in name else name
    return f"'{text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + '…'}'"


def label(kind: str, name: str | None, ident: str, *, ambiguous: bool = False) -> str:
    """``flow 'Main'``; ``flow 'Main' (a1b2c3d4…)`` when ``ambiguous``; ``flow a1b2c3d4…``
    when the thing has no name."""
    head = f"{kind} " if kind else ""
    if not name:
        return f"{head}{short_id(ident)}"
    text = f"{head}{quoted(name)}"
    return f"{text} ({short_id(ident)})" if ambiguous else text


def shared(items: Iterable[tuple[str, str | None]]) -> frozenset[str]:
    """The ids (of ``(id, name)`` pairs) whose name another id has too."""
    pairs = dict(items)
    counts = Counter(name for name in pairs.values() if name)
    return frozenset(i for i, name in pairs.items() if name and counts[name] > 1)


def project_name(bundle: Bundle) -> str:
    """The project's name: the vendor's project document's ``name`` (Cognigy keeps the project
    id in ``Bundle.project``), else ``Bundle.project`` (a Genesys division, a CXone folder)."""
    doc = bundle.properties.get("project")
    name = doc.get("name") if isinstance(doc, dict) else None
    return name if isinstance(name, str) and name else bundle.project


def field_path(pointer: str) -> str:
    """A JSON pointer as a person reads a field: ``/config/text/0`` → ``config.text[0]``."""
    out = ""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out or "(whole value)"


def brief(value: Any) -> str:
    """A JSON value in a few characters: ``'text'`` (cut), ``3``, ``true``, ``null``,
    ``{2 keys}``, ``[3 items]``."""
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return f"{{{len(value)} key{'' if len(value) == 1 else 's'}}}"
    if isinstance(value, list):
        return f"[{len(value)} item{'' if len(value) == 1 else 's'}]"
    return str(value)


class Names:
    """Display names of the flows and nodes of one or more versions of a project.

    Built from every side of a comparison at once (before and after), so a name both sides
    share is one name, and a name two different ids hold is disambiguated on both. A flow's
    node names are gathered the first time one of its nodes is named (a plan of a large
    project names few of them).
    """

    def __init__(self) -> None:
        self.flow_names: dict[str, str] = {}
        self.flows_shared: frozenset[str] = frozenset()
        self._versions: dict[str, list[Flow]] = {}
        self._nodes: dict[str, tuple[dict[str, str | None], frozenset[str]]] = {}

    @classmethod
    def of(cls, flows: Iterable[Flow]) -> Names:
        """Names of ``flows`` (later versions of a flow id win for its name)."""
        out = cls()
        for flow in flows:
            out.flow_names[flow.id] = flow.name
            out._versions.setdefault(flow.id, []).append(flow)
        out.flows_shared = shared(out.flow_names.items())
        return out

    def _node_names(self, flow: str) -> tuple[dict[str, str | None], frozenset[str]]:
        if flow not in self._nodes:
            nodes: dict[str, str | None] = {}
            for version in self._versions.get(flow, []):
                for node in version.nodes:
                    nodes[node.id] = node.label or nodes.get(node.id)
            self._nodes[flow] = (nodes, shared(nodes.items()))
        return self._nodes[flow]

    def flow_name(self, flow: str) -> str | None:
        """The flow's name, None when unknown."""
        return self.flow_names.get(flow)

    def node_name(self, flow: str, node: str) -> str | None:
        """The node's label, None when it has none."""
        return self._node_names(flow)[0].get(node)

    def flow(self, flow: str) -> str:
        """``flow 'Main'`` (with its id only when another flow has that name)."""
        return label("flow", self.flow_name(flow), flow, ambiguous=flow in self.flows_shared)

    def node_only(self, flow: str, node: str) -> str:
        """``node 'Greeting'`` (with its id only when another node of the flow has that label)."""
        ambiguous = node in self._node_names(flow)[1]
        return label("node", self.node_name(flow, node), node, ambiguous=ambiguous)

    def node(self, flow: str, node: str) -> str:
        """``flow 'Main' › node 'Greeting'``."""
        return f"{self.flow(flow)}{SEP}{self.node_only(flow, node)}"

    def node_bare(self, flow: str, node: str) -> str:
        """``'Greeting'`` (an edge end: the kind is clear from the arrow)."""
        return self.node_only(flow, node).removeprefix("node ")


def change_line(change: dict[str, Any]) -> str:
    """The line a person reads for one change of a diff's JSON form (``Diff.to_dict``): its
    ``text``; for a change recorded before changes had one (an older run's stored plan), the
    best that its fields allow."""
    if change.get("text"):
        return str(change["text"])
    what, ident = str(change.get("what", "")), str(change.get("id", ""))
    thing = label(what, change.get("name"), ident)
    if change.get("flow") and what != "flow":
        flow = label("flow", change.get("flow_name"), str(change["flow"]))
        thing = f"{flow}{SEP}{thing}"
    line = f"{change.get('action', '')} {thing}"
    if change.get("old_id"):
        line += f" (was {short_id(str(change['old_id']))})"
    return f"{line}: {change['detail']}" if change.get("detail") else line
