"""The summary report as one self-contained HTML page (inline CSS, SVG and a few lines of script).

`render(report, printable=False)` gives the screen page; `printable=True` gives the print layout
(A4, every table row, no buttons). Both carry print styles, so printing the screen page also works.
Suppressed figures show as *, and the rule is printed at the top of the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from linkwork_outcomes.api.presentation import charts
from linkwork_outcomes.api.presentation.numbers import number
from linkwork_outcomes.domain.report import CountRow, Figure, SummaryReport

SHOWN_ROWS = 15  # longer tables fold the rest away on screen (all rows in print)

STYLE = """
:root { --ink: #1d3557; --accent: #2a9d8f; --muted: #5c677d; --rule: #d9dde3; }
* { box-sizing: border-box; }
body { font: 15px/1.45 "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0; background: #f6f7f9; }
main { max-width: 980px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 26px; color: var(--ink); margin: 0 0 4px; }
h2 { font-size: 19px; color: var(--ink); border-bottom: 2px solid var(--accent); padding-bottom: 4px;
     margin-top: 32px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta, .muted { color: var(--muted); }
svg text { font: 12px "DejaVu Sans", Arial, sans-serif; fill: #111; }
svg text.muted { fill: var(--muted); }
.rule { border-left: 4px solid var(--accent); background: #eef7f6; padding: 8px 12px; margin: 16px 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.tile { flex: 1 1 150px; border: 1px solid var(--rule); padding: 10px 12px; border-radius: 4px; }
.tile b { display: block; font-size: 24px; color: var(--ink); }
/* Fixed layout keeps a folded table's hidden rows in the same columns as the rows above them. */
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; table-layout: fixed; }
th:first-child, td:first-child { width: 38%; }
details.rows table { margin-top: 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.suppressed { color: var(--muted); }
.toolbar { float: right; }
.toolbar button, .toolbar a { font: inherit; margin-left: 8px; }
details > summary { cursor: pointer; color: var(--ink); }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 24px; }
@media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
@page { size: A4; margin: 14mm; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  .toolbar { display: none; }
  h2 { break-after: avoid; }
  section, table, svg { break-inside: avoid; }
}
body.printable { background: #fff; }
body.printable main { max-width: 190mm; }
"""

SCRIPT = """
(function () {
  var button = document.getElementById("print-button");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
  document.querySelectorAll("details.rows").forEach(function (block) {
    var summary = block.querySelector("summary");
    block.addEventListener("toggle", function () {
      summary.textContent = block.open ? "Show fewer rows" : summary.dataset.closed;
    });
  });
  document.body.setAttribute("data-ready", "true");
})();
"""


def _fmt(figure: Figure, *, percent: bool = False, decimals: int = 1, signed: bool = False) -> str:
    if figure.suppressed:
        return '<span class="suppressed" title="suppressed">*</span>'
    if figure.value is None:
        return '<span class="muted">&ndash;</span>'
    return number(figure.value, percent_decimals=1 if percent else None, decimals=decimals, signed=signed)


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric_from: int = 1,
    *,
    fold: bool = True,
    printable: bool = False,
) -> str:
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i >= numeric_from else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    cells = [
        "<tr>"
        + "".join(f'<td class="n">{c}</td>' if i >= numeric_from else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    ]
    if not cells:
        return '<p class="muted">Nothing to show for this period.</p>'
    if not fold or printable or len(cells) <= SHOWN_ROWS:
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(cells)}</tbody></table>"
    more = len(cells) - SHOWN_ROWS
    closed = f"Show {more} more rows"
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(cells[:SHOWN_ROWS])}</tbody></table>"
        f'<details class="rows"><summary data-closed="{closed}">{closed}</summary>'
        f"<table><tbody>{''.join(cells[SHOWN_ROWS:])}</tbody></table></details>"
    )


def _figure_table(*rows: tuple[str, str]) -> str:
    """Named figures of one kind (time to first contact, contacts), each already formatted, never folded."""
    return _table(("Figure", "Value"), rows, fold=False)


def _count_table(rows: Sequence[CountRow], first: str, printable: bool) -> str:
    return _table(
        (first, "Referrals", "Share"),
        ((escape(r.label), _fmt(r.count), _fmt(r.share, percent=True)) for r in rows),
        printable=printable,
    )


def _tile(label: str, value: str) -> str:
    return f'<div class="tile"><b>{value}</b>{escape(label)}</div>'


def _header(report: SummaryReport, printable: bool, printable_href: str) -> str:
    named = [
        f"{label} {code}"
        for label, code in (
            ("ICB", report.scope.icb),
            ("sub-ICB location", report.scope.sub_icb),
            ("PCN", report.scope.pcn),
            ("practice", report.scope.practice),
        )
        if code
    ]
    scope = ", ".join(named) or "All PCNs"
    toolbar = (
        ""
        if printable
        else (
            '<div class="toolbar"><button id="print-button" type="button">Print</button>'
            f'<a id="printable-link" href="{escape(printable_href)}">Printable version</a></div>'
        )
    )
    funnel = {stage.stage: stage for stage in report.funnel}
    tiles = "".join(
        (
            _tile("referrals", _fmt(report.referrals)),
            _tile("contacted", _fmt(funnel["contacted"].conversion_from_referred, percent=True)),
            _tile("plan agreed", _fmt(funnel["plan-agreed"].conversion_from_referred, percent=True)),
            _tile("median days to first contact", _fmt(report.first_contact.median_days)),
            _tile("closed", _fmt(report.closures.closed)),
        )
    )
    return (
        f"<header>{toolbar}<h1>{escape(report.title)}</h1>"
        f'<p class="meta">{escape(scope)} · {escape(report.period.start)} to {escape(report.period.end)} · '
        f"generated {escape(report.generated_at.strftime('%d %B %Y %H:%M UTC'))}</p>"
        f'<p class="rule"><strong>Small numbers.</strong> {escape(report.suppression.rule)} '
        f"{report.suppression.suppressed_figures} figures are suppressed in this report.</p>"
        f'<div class="tiles">{tiles}</div></header>'
    )


def _pathway(report: SummaryReport, printable: bool) -> str:
    funnel_rows = (
        (
            escape(s.label),
            _fmt(s.count),
            _fmt(s.conversion_from_previous, percent=True),
            _fmt(s.conversion_from_referred, percent=True),
        )
        for s in report.funnel
    )
    first, contacts = report.first_contact, report.contacts
    return (
        '<section id="funnel"><h2>Referral pathway</h2>'
        + charts.funnel(report.funnel)
        + _table(("Stage", "Referrals", "Of previous stage", "Of referred"), funnel_rows, fold=False)
        + '<div class="grid"><div><h3>Time to first contact</h3>'
        + _figure_table(
            ("Referrals with a first contact", _fmt(first.referrals)),
            ("Median days", _fmt(first.median_days)),
            ("90th percentile days", _fmt(first.p90_days)),
            ("Within 14 days", _fmt(first.within_target, percent=True)),
        )
        + "</div><div><h3>Contacts per person</h3>"
        + _figure_table(
            ("Referrals with contacts", _fmt(contacts.referrals)),
            ("Mean contacts", _fmt(contacts.mean_per_person)),
            ("Median contacts", _fmt(contacts.median_per_person)),
        )
        + "</div></div></section>"
        + '<section id="referrals"><h2>Referrals</h2><div class="grid"><div><h3>By source</h3>'
        + _count_table(report.by_source, "Source", printable)
        + "</div><div><h3>By status today</h3>"
        + _count_table(report.by_status, "Status", printable)
        + "</div></div><h3>By need</h3>"
        + charts.bars(
            "Referrals by need",
            "Referrals by the need recorded, a referral can have several.",
            [(r.label, r.count) for r in report.by_need],
        )
        + _count_table(report.by_need, "Need", printable)
        + "</section>"
    )


def _outcomes(report: SummaryReport, printable: bool) -> str:
    rows = (
        (
            escape(r.label),
            _fmt(r.pairs),
            _fmt(r.mean_change, decimals=2, signed=True),
            f"{_fmt(r.ci_lower, decimals=2, signed=True)} to {_fmt(r.ci_upper, decimals=2, signed=True)}",
            _fmt(r.improved_share, percent=True),
            escape(("up" if r.higher_is_better else "down") + f" by {r.improvement_threshold:g}"),
        )
        for r in report.outcomes
    )
    return (
        '<section id="outcomes"><h2>Outcome change</h2>'
        + charts.outcome_change(report.outcomes)
        + _table(
            ("Score", "Pairs", "Mean change", "95% CI", "Improved", "Meaningful change"),
            rows,
            numeric_from=1,
            fold=False,
        )
        + "</section>"
    )


def _uptake(report: SummaryReport, printable: bool) -> str:
    activities = (
        (
            escape(a.name),
            escape(a.provider_name or "\u2013"),
            _fmt(a.planned),
            _fmt(a.attended),
            _fmt(a.attendance_rate, percent=True),
        )
        for a in report.activities
    )
    providers = (
        (escape(p.name), _fmt(p.planned), _fmt(p.attended), _fmt(p.attendance_rate, percent=True))
        for p in report.providers
    )
    reasons = report.closures.reasons
    return (
        '<section id="uptake"><h2>Plan uptake and attendance</h2><h3>By activity</h3>'
        + _table(
            ("Activity", "Provider", "In plans", "Attended", "Attendance"),
            activities,
            numeric_from=2,
            printable=printable,
        )
        + "<h3>By provider</h3>"
        + _table(("Provider", "Places planned", "Attended", "Attendance"), providers, printable=printable)
        + "</section>"
        + f'<section id="closures"><h2>Closures</h2><p>{_fmt(report.closures.closed)} referrals closed.</p>'
        + _table(
            ("Reason", "Referrals", "Share of closures"),
            ((escape(r.label), _fmt(r.count), _fmt(r.share, percent=True)) for r in reasons),
            fold=False,
        )
        + "</section>"
    )


def _gaps(report: SummaryReport, printable: bool) -> str:
    gaps = report.gaps
    by_area = sorted(gaps.by_area, key=lambda r: -(r.count.value or 0))[:SHOWN_ROWS]
    cells = ((escape(c.need_label), escape(c.postcode_district), _fmt(c.unmet), _fmt(c.with_need)) for c in gaps.cells)
    return (
        f'<section id="gaps"><h2>Gaps in provision</h2><p>{_fmt(gaps.total_unmet)} referrals had a need with '
        "nothing suitable within reach.</p>"
        + (
            charts.bars(
                "Gaps by area",
                "Referrals with an unmet need, by postcode district.",
                [(r.label, r.count) for r in by_area],
            )
            if by_area
            else ""
        )
        + '<div class="grid"><div><h3>By need</h3>'
        + _table(
            ("Need", "Unmet", "Share"),
            ((escape(r.label), _fmt(r.count), _fmt(r.share, percent=True)) for r in gaps.by_need),
            printable=printable,
        )
        + "</div><div><h3>Need by area</h3>"
        + _table(("Need", "District", "Unmet", "With need"), cells, numeric_from=2, printable=printable)
        + "</div></div></section>"
    )


def _equity(report: SummaryReport, printable: bool) -> str:
    parts = ['<section id="equity"><h2>Equity</h2>']
    for breakdown in report.equity:
        parts.append(f"<h3>{escape(breakdown.label)}</h3>")
        parts.append(
            charts.grouped_bars(
                f"Equity by {breakdown.label}",
                f"Share of referrals and share with a plan agreed, by {breakdown.label}.",
                [(r.label, r.share, r.plan_rate) for r in breakdown.rows],
                ("share of referrals", "plan agreed"),
            )
        )
        parts.append(
            _table(
                ("Group", "Referrals", "Share", "Plan agreed", "Plan rate"),
                (
                    (
                        escape(r.label),
                        _fmt(r.referrals),
                        _fmt(r.share, percent=True),
                        _fmt(r.plan_agreed),
                        _fmt(r.plan_rate, percent=True),
                    )
                    for r in breakdown.rows
                ),
                printable=printable,
            )
        )
    parts.append("</section>")
    return "".join(parts)


def render(report: SummaryReport, *, printable: bool = False, printable_href: str = "/reports/print") -> str:
    notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    body_class = ' class="printable"' if printable else ""
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head>"
        f"<body{body_class}><main>"
        + _header(report, printable, printable_href)
        + _pathway(report, printable)
        + _outcomes(report, printable)
        + _uptake(report, printable)
        + _gaps(report, printable)
        + _equity(report, printable)
        + f'<section id="notes"><h2>How to read this report</h2><ul>{notes}</ul></section>'
        + f"</main><script>{SCRIPT}</script></body></html>"
    )
