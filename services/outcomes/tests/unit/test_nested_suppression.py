"""Issue 15: suppression across nested reports (practice within PCN within ICB; month within quarter).

The reports are fakes: small tables of the shape a summary report has (referred = contacted + not contacted,
contacted = planned + not planned), with hand-picked or seeded values. The attacker is exact linear algebra:
given every published, unsuppressed count of every report and every additive relation between them (within a
report and between a parent and its children), a count is recovered if and only if its unit vector lies in the
row space of the relations over the unknown counts.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from fractions import Fraction

import pytest
from linkwork_outcomes.domain.suppression import (
    Margin,
    Partition,
    Table,
    area_partitions,
    is_small,
    suppress,
    suppress_nested,
)

pytestmark = pytest.mark.unit
IMPLIED = frozenset({"not-contacted", "not-planned"})
MARGINS = (Margin("referred", ("contacted", "not-contacted")), Margin("contacted", ("planned", "not-planned")))


def report(referred: int, contacted: int, planned: int) -> Table:
    cells = {
        "referred": referred,
        "contacted": contacted,
        "not-contacted": referred - contacted,
        "planned": planned,
        "not-planned": contacted - planned,
    }
    return Table(cells, IMPLIED, MARGINS)


def total(*tables: Table, extra: tuple[int, int, int] = (0, 0, 0)) -> Table:
    counts = ("referred", "contacted", "planned")
    return report(*(sum(t.cells[c] for t in tables) + e for c, e in zip(counts, extra, strict=True)))


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [list(r) for r in rows]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][column] != 0:
                factor = rows[i][column] / rows[rank][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def recovered(
    reports: Mapping[str, Table], partitions: list[Partition], hidden: Mapping[str, frozenset[str]]
) -> set[tuple[str, str]]:
    """Every (report, cell) an attacker can compute from what is published: shown, unsuppressed counts."""
    unknown = sorted(
        (name, cell) for name, t in reports.items() for cell in t.cells if cell in t.implied or cell in hidden[name]
    )
    index = {key: i for i, key in enumerate(unknown)}
    # Children need not cover their parent: what they leave over is one more unknown per cell, unless it is
    # zero throughout, which an attacker may well know (every referral has a practice, say).
    relations: list[list[tuple[tuple[str, str], int]]] = []
    for name, t in reports.items():
        relations += [[((name, m.total), 1)] + [((name, p), -1) for p in m.parts] for m in t.margins]
    for n, partition in enumerate(partitions):
        rest = f"rest-{n}"
        whole = reports[partition.whole].cells
        covered = any(v != sum(reports[p].cells.get(c, 0) for p in partition.parts) for c, v in whole.items())
        for cell in whole:
            if covered:
                index.setdefault((rest, cell), len(index))
            relations.append(
                [((partition.whole, cell), 1), ((rest, cell), -1)] + [((p, cell), -1) for p in partition.parts]
            )
        # The rest satisfies the whole's own relations too.
        relations += [[((rest, m.total), 1)] + [((rest, p), -1) for p in m.parts] for m in MARGINS]
    rows = []
    for relation in relations:
        row = [Fraction(0)] * len(index)
        for key, sign in relation:
            if key in index:
                row[index[key]] += sign
        rows.append(row)
    base = _rank(rows)
    found = set()
    for key in unknown:
        unit = [Fraction(0)] * len(index)
        unit[index[key]] = Fraction(1)
        if _rank([*rows, unit]) == base:
            found.add(key)
    return found


def small_cells(reports: Mapping[str, Table]) -> set[tuple[str, str]]:
    return {(name, cell) for name, t in reports.items() for cell, value in t.cells.items() if is_small(value)}


def test_a_practice_hidden_on_its_own_is_pcn_minus_its_siblings_and_nested_suppression_stops_that() -> None:
    practices = {"P1": report(20, 3, 3), "P2": report(30, 25, 20)}  # P1 contacted 3: primary suppression
    reports = {**practices, "PCN": total(*practices.values())}
    partitions = [Partition("PCN", ("P1", "P2"))]
    one_by_one = {name: suppress(t) for name, t in reports.items()}
    assert "contacted" in one_by_one["P1"] and not one_by_one["PCN"] & {"contacted", "referred"}
    assert ("P1", "contacted") in recovered(reports, partitions, one_by_one)  # 28 - 25 = 3

    nested = suppress_nested(reports, partitions)
    assert recovered(reports, partitions, nested) & small_cells(reports) == set()
    assert "contacted" in nested["P1"]


def test_a_remainder_the_children_do_not_cover_protects_like_any_implied_cell() -> None:
    # The PCN also counts 6 referrals recorded without a practice: PCN - P2 is P1 + those, not P1.
    practices = {"P1": report(20, 3, 3), "P2": report(30, 25, 20)}
    reports = {**practices, "PCN": total(*practices.values(), extra=(6, 6, 5))}
    partitions = [Partition("PCN", ("P1", "P2"))]
    nested = suppress_nested(reports, partitions)
    assert recovered(reports, partitions, nested) & small_cells(reports) == set()
    # The unpublished remainder is the complement at the PCN level: every PCN count stays shown.
    assert "contacted" in nested["P1"] and nested["PCN"] == frozenset()


@pytest.mark.parametrize("seed", range(12))
def test_no_small_count_is_recovered_anywhere_in_a_practice_pcn_icb_hierarchy(seed: int) -> None:
    rng = random.Random(seed)
    parent_of = {"U1": "ICB", "U2": "ICB"} | {f"P{i}": "U1" if i < 3 else "U2" for i in range(rng.randint(4, 6))}
    reports: dict[str, Table] = {}
    for practice in sorted(p for p in parent_of if p.startswith("P")):
        referred = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30])
        contacted = rng.randint(0, referred)
        reports[practice] = report(referred, contacted, rng.randint(0, contacted))
    for pcn in ("U1", "U2"):
        reports[pcn] = total(*(reports[p] for p, parent in parent_of.items() if parent == pcn), extra=(0, 0, 0))
    reports["ICB"] = total(reports["U1"], reports["U2"], extra=rng.choice([(0, 0, 0), (3, 2, 1)]))
    partitions = list(area_partitions(parent_of))
    nested = suppress_nested(reports, partitions)
    assert recovered(reports, partitions, nested) & small_cells(reports) == set()


def test_months_within_a_quarter_are_a_partition_too() -> None:
    months = {"2025-01": report(12, 2, 2), "2025-02": report(20, 10, 5), "2025-03": report(21, 9, 0)}
    reports = {**months, "2025-Q1": total(*months.values())}
    partitions = [Partition("2025-Q1", tuple(months))]
    assert ("2025-01", "contacted") in recovered(reports, partitions, {n: suppress(t) for n, t in reports.items()})
    nested = suppress_nested(reports, partitions)
    assert recovered(reports, partitions, nested) & small_cells(reports) == set()


def test_area_partitions_group_children_under_their_parent() -> None:
    parent_of = {"P2": "U1", "P1": "U1", "P3": "U2", "U1": "ICB", "U2": "ICB"}
    assert area_partitions(parent_of) == (
        Partition("ICB", ("U1", "U2")),
        Partition("U1", ("P1", "P2")),
        Partition("U2", ("P3",)),
    )


def test_parts_that_count_more_than_their_whole_are_refused() -> None:
    reports = {"P1": report(10, 6, 5), "PCN": report(8, 6, 5)}
    with pytest.raises(ValueError, match="count more"):
        suppress_nested(reports, [Partition("PCN", ("P1",))])


def test_counts_that_do_not_add_up_across_the_parts_are_left_out_of_the_partition() -> None:
    # "services" counts distinct services: 4 at each practice, 5 at the PCN (three are offered at both).
    practices = {name: Table({**report(20, 3, 3).cells, "services": 4}, IMPLIED, MARGINS) for name in ("P1", "P2")}
    pcn = Table({**total(*(report(20, 3, 3), report(20, 3, 3))).cells, "services": 5}, IMPLIED, MARGINS)
    reports = {**practices, "PCN": pcn}
    with pytest.raises(ValueError, match="count more"):
        suppress_nested(reports, [Partition("PCN", ("P1", "P2"))])
    additive = frozenset(report(0, 0, 0).cells)
    partitions = [Partition("PCN", ("P1", "P2"), additive)]
    nested = suppress_nested(reports, partitions)
    assert "contacted" in nested["P1"] and "services" in nested["P1"]  # 4 is small on its own
    assert (
        recovered(
            {
                n: Table({c: v for c, v in t.cells.items() if c in additive}, IMPLIED, MARGINS)
                for n, t in reports.items()
            },
            partitions,
            nested,
        )
        & small_cells(reports)
        == set()
    )


@pytest.mark.parametrize("seed", range(20))
def test_leaving_out_zero_cells_changes_nothing_suppression_decides(seed: int) -> None:
    """Reports of small areas and single months are mostly zeros; the joint suppression drops them for speed
    (`Table.without_zeros`), which must give exactly the same hidden cells, and never a hidden zero."""
    rng = random.Random(seed)
    parent_of = {"U1": "ICB", "U2": "ICB"} | {f"P{i}": "U1" if i < 3 else "U2" for i in range(6)}
    reports: dict[str, Table] = {}
    for practice in sorted(p for p in parent_of if p.startswith("P")):
        referred = rng.choice([0, 0, 0, 1, 2, 5, 7, 12])
        contacted = rng.choice([0, rng.randint(0, referred)])
        reports[practice] = report(referred, contacted, rng.choice([0, rng.randint(0, contacted)]))
    for pcn in ("U1", "U2"):
        reports[pcn] = total(*(reports[p] for p, parent in parent_of.items() if parent == pcn))
    reports["ICB"] = total(reports["U1"], reports["U2"])
    partitions = list(area_partitions(parent_of))
    full = suppress_nested(reports, partitions)
    assert all(reports[name].cells[cell] != 0 for name, cells in full.items() for cell in cells)
    assert suppress_nested({n: t.without_zeros() for n, t in reports.items()}, partitions) == full
