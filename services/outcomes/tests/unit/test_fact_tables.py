"""The fact tables' specs agree with their statements, so a value cannot land in the wrong column."""

from __future__ import annotations

import re

import pytest
from linkwork_outcomes.adapters import fact_store

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("table", fact_store.TABLES, ids=lambda table: table.columns[0] + "..." + table.columns[-1])
def test_statement_fills_the_columns_in_order(table: fact_store.Table[object]) -> None:
    inserted = re.search(r"INSERT INTO \w+(?: AS \w+)? \(([^)]*)\)", table.sql)
    assert inserted is not None
    assert tuple(name.strip() for name in inserted.group(1).split(",")) == table.columns
    placeholders = {int(number) for number in re.findall(r"\$(\d+)", table.sql)}
    assert placeholders == set(range(1, len(table.columns) + 1))


def test_a_row_of_the_wrong_width_is_refused() -> None:
    table = fact_store.Table("unused", ("a", "b"), lambda fact: (fact,))
    with pytest.raises(ValueError, match="1 values for the 2 columns"):
        table.arrays([1, 2])
    assert table.arrays([]) == [[], []]
