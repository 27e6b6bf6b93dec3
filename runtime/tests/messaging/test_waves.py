from __future__ import annotations

import pytest
from linkwork_runtime.messaging.waves import waves

pytestmark = pytest.mark.unit


def test_each_key_appears_at_most_once_per_wave_and_keeps_its_order() -> None:
    rows = [("a", 1), ("b", 1), ("a", 2), ("a", 3), ("c", 1), ("b", 2)]
    result = waves(rows, key=lambda row: row[0])
    assert result == [[("a", 1), ("b", 1), ("c", 1)], [("a", 2), ("b", 2)], [("a", 3)]]
    for wave in result:
        keys = [row[0] for row in wave]
        assert len(keys) == len(set(keys))


def test_rows_with_distinct_keys_form_one_wave() -> None:
    rows = list(range(100))
    assert waves(rows, key=lambda row: row) == [rows]


def test_no_rows_no_waves() -> None:
    assert waves([], key=lambda row: row) == []
