"""Finding [medium]: CSV export guards against formula injection (`=`, `+`, `-`, `@` at the start of a cell)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from linkwork_outcomes.api.presentation.csv_export import defused, render
from linkwork_outcomes.domain.aggregates import Aggregates
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.report import Period, Scope
from linkwork_outcomes.domain.report_assembly import assemble

pytestmark = pytest.mark.unit
NOW = datetime(2025, 6, 1, tzinfo=UTC)
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_cell_that_would_start_a_formula_is_made_text(cell: str) -> None:
    assert defused(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-0.25", "+3", "1e-3", "Walking group", "", "it's = fine"])
def test_numbers_and_plain_text_are_unchanged(cell: str) -> None:
    assert defused(cell) == cell


def test_hostile_activity_and_provider_names_leave_the_export_as_text() -> None:
    tally = {
        ("referrals", "", ""): 30,
        ("funnel", "referred", ""): 30,
        ("status", "referred", ""): 30,
        ("source", "gp-practice", ""): 30,
        ("need", "housing", ""): 30,
        ("planned", "s1", ""): 20,
        ("attended", "s1", ""): 9,
    }
    for dimension, value in (("imd-decile", "2"), ("age-band", "25-34"), ("sex", "male"), ("ethnic-category", "A")):
        tally[("equity", dimension, value)] = 30
    services = {"s1": ServiceLabel("s1", 1, FORMULAS[0], "p1", FORMULAS[3], True, NOW)}
    report = assemble(
        Aggregates(tally=tally, outcomes={}, gaps={}, services=services),
        Period(start="2025-01", end="2025-03"),
        Scope(pcn="U10001", practice=None),
        NOW,
    )
    cells = [cell for row in csv.reader(io.StringIO(render(report))) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@")) or (cell.startswith("-") and not _num(cell))]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


def _num(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
