"""Issue 18: the duplicate scoring rules on their own (the known-answer test through the API is in
integration/test_duplicates.py)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from linkwork_directory.domain.duplicates import (
    Listing,
    find_duplicates,
    normal_phone,
    normal_postcode,
    normal_website,
    signals,
)

pytestmark = pytest.mark.unit
PHONE = "0113 245 6789"


def _listing(name: str, directory: str, **fields: tuple[str, ...] | str) -> Listing:
    return Listing(uuid4(), name, directory, **fields)  # type: ignore[arg-type]


def test_normal_forms() -> None:
    assert normal_postcode("ls61ab") == "LS6 1AB" and normal_postcode("nonsense") is None
    assert normal_phone("+44 113 245 6789") == normal_phone("(0113) 2456789") == "01132456789"
    assert normal_website("http://www.ageuk.org.uk/leeds/") == normal_website("https://ageuk.org.uk/leeds")


def test_the_same_service_written_differently_is_found() -> None:
    a = _listing("Lunch club", "council", organization="Age UK Leeds", postcodes=("LS6 1AB",), phones=(PHONE,))
    b = _listing("Age UK Leeds: Lunch Club", "network", organization="AGE UK LEEDS", postcodes=("ls61ab",))
    found = find_duplicates([a, b])
    assert len(found) == 1 and found[0].signals["name"] == 1.0


def test_one_charity_s_other_service_and_another_charity_s_lunch_club_are_not() -> None:
    a = _listing("Lunch club", "council", organization="Age UK Leeds", postcodes=("LS6 1AB",), phones=(PHONE,))
    sibling = _listing("Befriending", "network", organization="Age UK Leeds", postcodes=("LS6 1AB",), phones=(PHONE,))
    namesake = _listing("Lunch club", "network", organization="St Mark's Church", postcodes=("LS12 3CD",))
    assert find_duplicates([a, sibling, namesake]) == []
    assert signals(a, namesake)["name"] == 1.0


def test_the_same_directory_and_dismissed_pairs_are_left_out() -> None:
    a = _listing("Walking group", "council", organization="Feel Good Factor", phones=("0113 245 6789",))
    b = _listing("Walking group", "council", organization="Feel Good Factor", phones=("0113 245 6789",))
    c = _listing("Walking group", "network", organization="Feel Good Factor", phones=("0113 245 6789",))
    assert len(find_duplicates([a, b, c])) == 2
    assert len(find_duplicates([a, b, c], dismissed=[(c.id, a.id)])) == 1
