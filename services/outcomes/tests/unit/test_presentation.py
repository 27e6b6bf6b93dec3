"""CSV and HTML renderings of a report: complete, suppression visible, self-contained, escaped."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from linkwork_outcomes.api.presentation import csv_export, html_page
from linkwork_outcomes.domain.aggregates import Aggregates, GapCounts
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.report import Period, Scope, SummaryReport
from linkwork_outcomes.domain.report_assembly import assemble
from linkwork_outcomes.domain.statistics import ChangeSums

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script> & Sons'


def _report() -> SummaryReport:
    tally = {
        ("referrals", "", ""): 30,
        ("funnel", "referred", ""): 30,
        ("funnel", "contacted", ""): 24,
        ("funnel", "plan-agreed", ""): 20,
        ("status", "referred", ""): 6,
        ("status", "contacted", ""): 4,
        ("status", "plan-agreed", ""): 20,
        ("source", "gp-practice", ""): 27,
        ("source", "police", ""): 3,
        ("need", "housing", ""): 12,
        ("first-contact-days", "3", ""): 10,
        ("first-contact-days", "20", ""): 14,
        ("contacts", "2", ""): 24,
        ("planned", "s1", ""): 20,
        ("attended", "s1", ""): 9,
    }
    for dimension, value in (("imd-decile", "2"), ("age-band", "25-34"), ("sex", "male"), ("ethnic-category", "A")):
        tally[("equity", dimension, value)] = 30
        tally[("equity-plan", dimension, value)] = 20
    return assemble(
        Aggregates(
            tally=tally,
            outcomes={"swemwbs-metric": ChangeSums(6, 900, 170_000, 4)},
            gaps={("housing", "LS6"): GapCounts(12, 7)},
            services={"s1": ServiceLabel("s1", 1, HOSTILE, "p1", HOSTILE, True, NOW)},
        ),
        Period(start="2025-01", end="2025-03"),
        Scope(pcn="U10001", practice=None),
        NOW,
    )


def test_csv_has_a_row_per_figure_and_empty_values_when_suppressed() -> None:
    report = _report()
    rows = list(csv.DictReader(io.StringIO(csv_export.render(report))))
    assert list(rows[0]) == list(csv_export.HEADER)
    index = {(r["section"], r["row"], r["figure"]): r for r in rows}
    assert index[("referrals", "total", "count")]["value"] == "30"
    police = index[("by_source", "police", "count")]
    assert police["value"] == "" and police["suppressed"] == "true"
    assert index[("metadata", "suppression_rule", "text")]["value"] == report.suppression.rule
    assert index[("first_contact", "all", "median_days")]["value"] == "20.0"
    figures = [r for r in rows if r["section"] != "metadata"]
    assert all(r["suppressed"] in ("true", "false") for r in figures)
    assert {r["section"] for r in figures} >= {
        "funnel",
        "outcomes",
        "activities",
        "providers",
        "gaps",
        "equity_sex",
        "closure_reasons",
    }


def test_html_is_self_contained_states_the_rule_and_escapes_names() -> None:
    page = html_page.render(_report())
    assert page.startswith("<!DOCTYPE html>")
    assert "Counts from 1 to 4 are suppressed" in page
    assert page.count('<svg class="chart"') >= 6
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from elsewhere
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert HOSTILE not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons" in page
    assert page.count("<script>") == 1  # only the page's own script
    assert 'title="suppressed">*</span>' in page


def test_printable_page_has_no_buttons_and_shows_every_row() -> None:
    page = html_page.render(_report(), printable=True)
    assert 'class="printable"' in page and 'id="print-button"' not in page
    assert "<details" not in page
    assert "@media print" in page and "@page" in page
