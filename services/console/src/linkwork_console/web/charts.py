"""Server-rendered bar charts for the report pages: SVG built here, with the figures' table beside it in the page.

No script and no inline style (the console's Content-Security-Policy allows neither): presentation attributes
only. The SVG is an image with a title and a description for screen readers; the table is the accessible
alternative holding every figure, including which months are suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 44, 28, 12
BAR = "#005eb8"  # NHS blue
AXIS = "#4c6272"  # NHS mid grey: 4.5:1 on white


@dataclass(frozen=True)
class Point:
    label: str  # e.g. "Jan"
    value: float | None  # None: suppressed or nothing to show
    suppressed: bool = False


def bar_chart(chart_id: str, title: str, points: list[Point]) -> Markup:
    shown = [p.value for p in points if p.value is not None]
    top = max(shown, default=0) or 1
    plot_width, plot_height = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(points), 1)
    hidden = sum(p.suppressed for p in points)
    summary = f"{len(points)} months; highest {max(shown, default=0):g}" + (
        f"; {hidden} suppressed (small numbers)" if hidden else ""
    )
    parts = [
        f'<svg class="linkwork-chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" focusable="false">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(summary)}. The table below has every figure.</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - 8}" y2="{TOP + plot_height}" stroke="{AXIS}"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="12" fill="{AXIS}">{top:g}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_height}" text-anchor="end" font-size="12" fill="{AXIS}">0</text>',
    ]
    for index, point in enumerate(points):
        x = LEFT + index * step
        centre = x + step / 2
        if point.value is not None:
            height = plot_height * point.value / top
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{TOP + plot_height - height:.1f}" width="{step * 0.7:.1f}" '
                f'height="{height:.1f}" fill="{BAR}"><title>{escape(point.label)}: {point.value:g}</title></rect>'
            )
        elif point.suppressed:
            parts.append(
                f'<text x="{centre:.1f}" y="{TOP + plot_height - 4}" text-anchor="middle" font-size="14" '
                f'fill="{AXIS}">*</text>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="12" fill="{AXIS}">'
            f"{escape(point.label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
