"""Inline SVG charts for the report page: no scripts, fonts or files from anywhere else.

Every chart is a plain SVG string with a <title> and <desc> for screen readers. Suppressed
figures are drawn as an empty outlined bar labelled "suppressed", never as a length that would
give the number away.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from linkwork_outcomes.api.presentation.numbers import number
from linkwork_outcomes.domain.report import Figure, FunnelStage, OutcomeRow

WIDTH = 720
LABEL_WIDTH = 230
ROW = 26
BAR = 18
INK = "#1d3557"
ACCENT = "#2a9d8f"
MUTED = "#8d99ae"


def label_width(labels: Sequence[str]) -> int:
    """Room for the longest row label (about 6.6 px a character at 12 px), within sensible bounds."""
    return max(90, min(340, round(6.6 * max((len(label) for label in labels), default=0)) + 12))


def _svg(title: str, description: str, height: int, body: list[str], width: int = WIDTH) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in title.lower())
    return (
        f'<svg class="chart" role="img" aria-labelledby="{slug}-t {slug}-d" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{slug}-t">{escape(title)}</title><desc id="{slug}-d">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    css = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{css}>{escape(text)}</text>'


def _number(figure: Figure, percent: bool = False, decimals: int = 1) -> str:
    if figure.suppressed:
        return "suppressed"
    if figure.value is None:
        return "\u2013"
    return number(figure.value, percent_decimals=0 if percent else None, decimals=decimals)


def bars(title: str, description: str, rows: Sequence[tuple[str, Figure]], *, percent: bool = False) -> str:
    """A horizontal bar per row, scaled to the largest shown value."""
    shown = [f.value for _, f in rows if f.value is not None]
    top = max([float(v) for v in shown] + [1e-9])
    left = label_width([label for label, _ in rows])
    span = WIDTH - left - 90
    body = []
    for index, (label, figure) in enumerate(rows):
        y = 8 + index * ROW
        body.append(_text(left - 8, y + BAR - 4, label, anchor="end"))
        if figure.suppressed:
            body.append(
                f'<rect x="{left}" y="{y}" width="{span * 0.1:.1f}" height="{BAR}" '
                f'fill="none" stroke="{MUTED}" stroke-dasharray="3 2"/>'
            )
            body.append(_text(left + span * 0.1 + 6, y + BAR - 4, "suppressed", cls="muted"))
            continue
        value = float(figure.value or 0)
        length = span * value / top
        body.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{ACCENT}"/>')
        body.append(_text(left + length + 6, y + BAR - 4, _number(figure, percent)))
    return _svg(title, description, 16 + len(rows) * ROW, body)


def funnel(stages: Sequence[FunnelStage]) -> str:
    """Stages as centred bars narrowing with the counts, with the conversion from the stage before."""
    top = next((float(s.count.value) for s in stages if s.count.value), 1.0)
    span, body = WIDTH - LABEL_WIDTH - 150, []
    for index, stage in enumerate(stages):
        y = 8 + index * (ROW + 8)
        body.append(_text(LABEL_WIDTH - 8, y + BAR - 2, stage.label, anchor="end"))
        middle = LABEL_WIDTH + span / 2
        if stage.count.suppressed:
            body.append(
                f'<rect x="{middle - span * 0.05:.1f}" y="{y}" width="{span * 0.1:.1f}" height="{BAR + 4}" '
                f'fill="none" stroke="{MUTED}" stroke-dasharray="3 2"/>'
            )
            label = "suppressed"
        else:
            length = span * float(stage.count.value or 0) / top
            body.append(
                f'<rect x="{middle - length / 2:.1f}" y="{y}" width="{max(length, 1):.1f}" '
                f'height="{BAR + 4}" fill="{INK}"/>'
            )
            label = _number(stage.count)
        if index:
            label += f" · {_number(stage.conversion_from_previous, percent=True)} of previous"
        body.append(_text(LABEL_WIDTH + span + 10, y + BAR - 2, label))
    return _svg(
        "Referral funnel",
        "Referrals reaching each stage of the link worker pathway, with conversion from the stage before.",
        16 + len(stages) * (ROW + 8),
        body,
    )


def outcome_change(rows: Sequence[OutcomeRow]) -> str:
    """Mean change per score as a dot with its 95% interval as a line, around a zero line."""
    shown = [r for r in rows if r.mean_change.value is not None]
    extent = max(
        [
            abs(float(v))
            for r in shown
            for v in (r.mean_change.value, r.ci_lower.value, r.ci_upper.value)
            if v is not None
        ]
        + [1.0]
    )
    left = label_width([row.label for row in rows])
    span, body = WIDTH - left - 200, []
    zero = left + span / 2
    height = 36 + len(rows) * ROW

    def x(value: float) -> float:
        return zero + value / extent * span / 2

    body.append(f'<line x1="{zero:.1f}" y1="4" x2="{zero:.1f}" y2="{height - 24}" stroke="{MUTED}"/>')
    body.append(_text(zero, height - 8, "0", anchor="middle", cls="muted"))
    body.append(_text(x(-extent), height - 8, f"{-extent:.1f}", anchor="start", cls="muted"))
    body.append(_text(x(extent), height - 8, f"+{extent:.1f}", anchor="end", cls="muted"))
    for index, row in enumerate(rows):
        y = 8 + index * ROW + BAR / 2
        better = "higher is better" if row.higher_is_better else "lower is better"
        body.append(_text(left - 8, y + 4, row.label, anchor="end"))
        if row.mean_change.value is None:
            status = "suppressed" if row.mean_change.suppressed else "no pairs"
            body.append(_text(zero + 8, y + 4, status, cls="muted"))
            continue
        mean = float(row.mean_change.value)
        if row.ci_lower.value is not None and row.ci_upper.value is not None:
            low, high = x(float(row.ci_lower.value)), x(float(row.ci_upper.value))
            body.append(
                f'<line x1="{low:.1f}" y1="{y:.1f}" x2="{high:.1f}" y2="{y:.1f}" stroke="{INK}" stroke-width="2"/>'
            )
            for end in (low, high):
                body.append(f'<line x1="{end:.1f}" y1="{y - 5:.1f}" x2="{end:.1f}" y2="{y + 5:.1f}" stroke="{INK}"/>')
        colour = ACCENT if (mean > 0) == row.higher_is_better else "#e76f51"
        body.append(f'<circle cx="{x(mean):.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
        body.append(_text(left + span + 10, y + 4, f"{mean:+.2f} ({better})"))
    return _svg(
        "Outcome change",
        "Mean change from baseline to latest measurement for each outcome score, with its 95% confidence interval.",
        height,
        body,
    )


def _short(figure: Figure) -> str:
    return "*" if figure.suppressed else _number(figure, percent=True)


def grouped_bars(
    title: str, description: str, rows: Sequence[tuple[str, Figure, Figure]], legend: tuple[str, str]
) -> str:
    """Two shares per row (0-100%), e.g. share of referrals and plan rate."""
    left = label_width([label for label, _, _ in rows])
    span, body = WIDTH - left - 100, []
    half = BAR / 2
    for index, (label, first, second) in enumerate(rows):
        y = 30 + index * ROW
        body.append(_text(left - 8, y + BAR - 4, label, anchor="end"))
        for offset, figure, colour in ((0.0, first, INK), (half, second, ACCENT)):
            if figure.value is None:
                body.append(
                    f'<rect x="{left}" y="{y + offset:.1f}" width="{span * 0.05:.1f}" '
                    f'height="{half - 1:.1f}" fill="none" stroke="{MUTED}" stroke-dasharray="2 2"/>'
                )
                continue
            length = span * min(float(figure.value), 1.0)
            body.append(
                f'<rect x="{left}" y="{y + offset:.1f}" width="{length:.1f}" height="{half - 1:.1f}" fill="{colour}"/>'
            )
        body.append(_text(WIDTH - 4, y + BAR - 4, f"{_short(first)} / {_short(second)}", anchor="end"))
    body.append(f'<rect x="{left}" y="6" width="12" height="10" fill="{INK}"/>')
    body.append(_text(left + 16, 15, legend[0]))
    body.append(f'<rect x="{left + 200}" y="6" width="12" height="10" fill="{ACCENT}"/>')
    body.append(_text(left + 216, 15, legend[1]))
    return _svg(title, description, 40 + len(rows) * ROW, body)
