"""Small hand-made bundles for the check, render and CLI tests."""

from __future__ import annotations

from typing import Any


def node(nid: str, **kw: Any) -> dict[str, Any]:
    return {"id": nid, "type": kw.pop("type", "say"), **kw}


def edge(a: str, b: str, **kw: Any) -> dict[str, Any]:
    return {"source": a, "target": b, **kw}


def flow(
    fid: str,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    entry: list[str] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    return {
        "id": fid,
        "name": kw.pop("name", fid.title()),
        "kind": "bot",
        "entry": ["start"] if entry is None else entry,
        "nodes": nodes,
        "edges": edges,
        **kw,
    }


def bundle(
    flows: list[dict[str, Any]], resources: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "format": "cxops.bundle/1",
        "vendor": "cognigy",
        "tenant": "dev",
        "project": "p1",
        "flows": flows,
        "resources": resources or [],
    }


def menu_flow(fid: str = "menu") -> dict[str, Any]:
    """A menu that re-prompts on a wrong answer and is left on a right one: no finding."""
    return flow(
        fid,
        [
            node("start", type="start"),
            node("ask", type="question"),
            node("check", type="if"),
            node("again"),
            node("done", terminal=True),
        ],
        [
            edge("start", "ask"),
            edge("ask", "check"),
            edge("check", "again", kind="branch", condition="no"),
            edge("again", "ask"),
            edge("check", "done", kind="branch", condition="yes"),
        ],
    )


def flawed_bundle() -> dict[str, Any]:
    """One flaw per check code CX101-CX109, each at a known place."""
    trap = flow(
        "trap",
        [node("start"), node("q"), node("s")],
        [edge("start", "q"), edge("q", "s"), edge("s", "q")],
    )
    big = flow(
        "big",
        [node("start")] + [node(f"n{i}") for i in range(5)],
        [edge("start", f"n{i}") for i in range(5)],
    )
    dangling = flow("dangling", [node("start")], [edge("start", "nowhere")])
    lost = flow("lost", [node("start"), node("island")], [])
    dup = flow("dup", [node("start"), node("start", label="again")], [])
    noentry = flow("noentry", [node("a")], [], entry=[])
    calls_b = flow("cyc-a", [node("start", refs=[{"kind": "flow", "id": "cyc-b"}])], [])
    calls_a = flow("cyc-b", [node("start", refs=[{"kind": "flow", "id": "cyc-a"}])], [])
    refs = flow(
        "refs",
        [
            node(
                "start",
                refs=[
                    {"kind": "lexicon", "id": "gone"},
                    {"kind": "intent", "id": "old"},
                    {"kind": "lexicon", "id": "lex", "version": "^3"},
                    {"kind": "prompt", "id": "pr", "version": "^1"},
                ],
            ),
            node("two", refs=[{"kind": "prompt", "id": "pr", "version": "^2"}]),
        ],
        [edge("start", "two")],
    )
    resources = [
        {"kind": "intent", "id": "old", "name": "Old", "deleted": True},
        {"kind": "lexicon", "id": "lex", "name": "Lex", "versions": ["1.0.0", "2.1.0"]},
        {"kind": "prompt", "id": "pr", "name": "Prompt"},
    ]
    return bundle(
        [trap, big, dangling, lost, dup, noentry, calls_b, calls_a, refs, menu_flow()], resources
    )
