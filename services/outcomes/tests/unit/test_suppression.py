"""Primary and secondary suppression on hand-worked tables."""

from __future__ import annotations

import itertools

import pytest
from linkwork_outcomes.domain.suppression import Margin, Table, suppress

pytestmark = pytest.mark.unit


def _table(cells: dict[str, int], margins: list[tuple[str, list[str]]], implied: set[str] = set()) -> Table:  # noqa: B006
    return Table(cells, frozenset(implied), tuple(Margin(t, tuple(p)) for t, p in margins))


def test_primary_hides_one_to_four_and_shows_zero_and_five() -> None:
    table = _table({"a": 0, "b": 1, "c": 4, "d": 5, "e": 120}, [])
    assert suppress(table) == {"b", "c"}


def test_a_lone_small_cell_in_a_margin_takes_the_smallest_non_zero_complement() -> None:
    # total 40 = 3 + 0 + 9 + 28: hiding only the 3 would leave it as 40 - 0 - 9 - 28.
    table = _table({"total": 40, "a": 3, "zero": 0, "b": 9, "c": 28}, [("total", ["a", "zero", "b", "c"])])
    assert suppress(table) == {"a", "b"}


def test_two_small_cells_protect_each_other() -> None:
    table = _table({"total": 30, "a": 2, "b": 4, "c": 24}, [("total", ["a", "b", "c"])])
    assert suppress(table) == {"a", "b"}


def test_a_small_total_is_hidden_with_its_single_non_zero_part() -> None:
    table = _table({"total": 3, "a": 3, "b": 0}, [("total", ["a", "b"])])
    assert suppress(table) == {"total", "a"}


def test_a_zero_is_taken_only_when_nothing_else_is_left() -> None:
    # 12 = 2 + 0 + 10 with 10 in another margin... the only non-zero candidates are "total" and "c".
    table = _table({"total": 12, "a": 2, "zero": 0, "c": 10}, [("total", ["a", "zero", "c"])])
    assert suppress(table) == {"a", "c"}
    only_zero = _table({"total": 2, "a": 2, "zero": 0}, [("total", ["a", "zero"])])
    # Both non-zero members are small and hidden already: nothing more is needed.
    assert suppress(only_zero) == {"total", "a"}


def test_an_implied_remainder_is_the_preferred_complement() -> None:
    # referred 50 = contacted 47 + not contacted 3: the 3 is never printed but is derivable.
    table = _table(
        {"referred": 50, "contacted": 47, "not-contacted": 3, "planned": 40, "not-planned": 7},
        [("referred", ["contacted", "not-contacted"]), ("contacted", ["planned", "not-planned"])],
        implied={"not-contacted", "not-planned"},
    )
    # not-contacted is small; the only other members are published: hide the smaller, contacted.
    # contacted's own margin then has one hidden member; its complement is the implied 7.
    assert suppress(table) == {"not-contacted", "contacted", "not-planned"}


def test_secondary_suppression_cascades_across_a_two_way_table() -> None:
    # rows r1, r2; columns c1, c2; r1c1 = 2 is small.
    cells = {"r1c1": 2, "r1c2": 10, "r2c1": 8, "r2c2": 20, "r1": 12, "r2": 28, "c1": 10, "c2": 30, "all": 40}
    margins = [
        ("r1", ["r1c1", "r1c2"]),
        ("r2", ["r2c1", "r2c2"]),
        ("c1", ["r1c1", "r2c1"]),
        ("c2", ["r1c2", "r2c2"]),
        ("all", ["r1", "r2"]),
        ("all", ["c1", "c2"]),
    ]
    hidden = suppress(_table(cells, margins))
    # Row r1 takes r1c2 (10), column c1 takes r2c1 (8), then row r2 and column c2 need a second
    # hidden member each, which r2c2 (20) satisfies for both.
    assert hidden == {"r1c1", "r1c2", "r2c1", "r2c2"}
    _assert_nothing_derivable(cells, margins, hidden)


def _assert_nothing_derivable(
    cells: dict[str, int], margins: list[tuple[str, list[str]]], hidden: frozenset[str]
) -> None:
    """Brute force: every hidden cell has at least two values consistent with what is shown."""
    names = sorted(hidden)
    consistent = []
    for values in itertools.product(range(0, 30), repeat=len(names)):
        guess = dict(cells) | dict(zip(names, values, strict=True))
        if all(guess[t] == sum(guess[p] for p in parts) for t, parts in margins):
            consistent.append(dict(zip(names, values, strict=True)))
    for name in names:
        assert len({c[name] for c in consistent}) > 1, f"{name} can be derived"


def test_check_refuses_a_margin_that_does_not_add_up() -> None:
    with pytest.raises(ValueError, match="sum to"):
        suppress(_table({"total": 10, "a": 3, "b": 6}, [("total", ["a", "b"])]))
    with pytest.raises(ValueError, match="unknown"):
        suppress(_table({"total": 10}, [("total", ["a"])]))
