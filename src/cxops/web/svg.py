"""Server-side SVG: a flow's graph and a bar chart, as markup (escaped here, so templates only
place it). No JavaScript and nothing from the internet is needed to see either."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from cxops.web.queries.flows import NODE_H, NODE_W
from cxops.web.queries.schemas import FlowView

__all__ = ["bars", "flow_svg"]


def _clip(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def flow_svg(view: FlowView) -> Markup:
    """The flow as boxes and arrows; entries bold, cycle members red, unreachable grey."""
    pos = {n.id: n for n in view.nodes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" width="{view.width:.0f}" '
        f'height="{view.height:.0f}" viewBox="0 0 {view.width:.0f} {view.height:.0f}" '
        f'role="img" aria-label="graph of flow {escape(view.flow)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
    ]
    for e in view.edges:
        a, b = pos[e.source], pos[e.target]
        x1, y1 = a.x + NODE_W / 2, a.y + NODE_H
        x2, y2 = b.x + NODE_W / 2, b.y
        if b.y <= a.y:  # a back edge: around the side
            x1, y1, x2, y2 = a.x + NODE_W, a.y + NODE_H / 2, b.x + NODE_W, b.y + NODE_H / 2
            path = f"M{x1},{y1} C{x1 + 60},{y1} {x2 + 60},{y2} {x2},{y2}"
        else:
            mid = (y1 + y2) / 2
            path = f"M{x1},{y1} C{x1},{mid} {x2},{mid} {x2},{y2}"
        cls = "edge cycle" if e.in_cycle else "edge"
        parts.append(
            f'<path class="{cls}" d="{path}" marker-end="url(#arrow)">'
            f"<title>{escape(e.kind)}</title></path>"
        )
    for n in view.nodes:
        cls = "node"
        cls += " entry" if n.entry else ""
        cls += " cycle" if n.in_cycle else ""
        cls += " unreachable" if n.unreachable else ""
        parts.append(
            f'<g class="{cls}" data-node="{escape(n.id)}"><title>{escape(n.label)} '
            f"({escape(n.type)}, {escape(n.id)})</title>"
            f'<rect x="{n.x}" y="{n.y}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
            f'<text x="{n.x + 8}" y="{n.y + 18}" class="label">{escape(_clip(n.label))}</text>'
            f'<text x="{n.x + 8}" y="{n.y + 34}" class="type">{escape(_clip(n.type, 28))}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(series: list[tuple[str, int, int]], title: str) -> Markup:
    """A bar per day: deployments, the failed part in red; labels and counts as text."""
    if not series:
        return Markup('<p class="muted">no deployments in the window</p>')
    width, height, pad = max(320, 56 * len(series)), 180, 28
    top = max(total for _, total, _ in series) or 1
    bar_w = (width - 2 * pad) / len(series) * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}">'
    ]
    for i, (day, total, failed) in enumerate(series):
        x = pad + i * (width - 2 * pad) / len(series)
        h = (height - 2 * pad) * total / top
        fh = (height - 2 * pad) * failed / top
        y = height - pad - h
        parts.append(
            f'<rect class="ok" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}"/>'
        )
        if failed:
            parts.append(
                f'<rect class="failed" x="{x:.1f}" y="{height - pad - fh:.1f}" '
                f'width="{bar_w:.1f}" height="{fh:.1f}"/>'
            )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" class="axis">{escape(day[5:])}</text>'
            f'<text x="{x:.1f}" y="{y - 4:.1f}" class="axis">{total} ({failed} failed)</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
