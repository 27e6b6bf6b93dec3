"""`from_record`: a dataclass built from a row's columns by name, so a reordered SELECT cannot shift a value."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest
from linkwork_runtime.database import from_record

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Visit:
    visit_id: str
    place: str
    people: int


def test_columns_fill_the_fields_of_the_same_name_whatever_their_order() -> None:
    row = {"people": 3, "place": "library", "visit_id": UUID(int=1), "extra": "ignored"}
    visit = from_record(Visit, row, visit_id=str(row["visit_id"]))
    assert visit == Visit("00000000-0000-0000-0000-000000000001", "library", 3)


def test_a_missing_column_is_named() -> None:
    with pytest.raises(KeyError, match="people"):
        from_record(Visit, {"visit_id": "v", "place": "library"})
