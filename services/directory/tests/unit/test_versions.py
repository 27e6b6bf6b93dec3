"""Issue 18: the ETag of a service (what it covers and what it ignores), If-Match matching, the field-by-field
record of a change, and JSON merge patch (RFC 7396's own examples)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.oruk import Service
from linkwork_directory.domain.versions import changes, editable, etag, if_match_allows, merge_patch

from .states import new_state

pytestmark = pytest.mark.unit


SERVICE = Service(id=uuid4(), name="Knit and Natter", status="active")


def test_the_tag_covers_what_a_curator_edits_and_ignores_what_moves_by_itself() -> None:
    tag = etag(SERVICE, new_state())
    assert tag.startswith('"') and tag.endswith('"') and tag == etag(SERVICE, new_state())
    # Plans agreed elsewhere, the revision counter and the store's timestamp are not the curator's content.
    assert etag(SERVICE, new_state(revision=7, taken_this_week=3, uptake_total=9)) == tag
    assert etag(SERVICE.model_copy(update={"last_modified": datetime.now(UTC)}), new_state()) == tag
    # What they edit or act on is.
    assert etag(SERVICE.model_copy(update={"name": "Knit & Natter"}), new_state()) != tag
    assert etag(SERVICE, new_state(settings=SocialPrescribing(places_per_week=12))) != tag
    assert etag(SERVICE, new_state(last_verified_at=datetime(2026, 12, 7, tzinfo=UTC))) != tag


def test_if_match_is_strong_and_star_needs_a_service() -> None:
    assert if_match_allows('"a", "b"', '"b"') and if_match_allows("*", '"b"')
    assert not if_match_allows('W/"b"', '"b"') and not if_match_allows('"a"', '"b"')
    assert not if_match_allows("*", None)


def test_changes_name_each_field_that_differs() -> None:
    before = editable(SERVICE, new_state())
    after = editable(SERVICE.model_copy(update={"name": "Knit & Natter", "url": "https://k.example"}), new_state())
    found = changes(before, after)
    assert {"field": "name", "before": "Knit and Natter", "after": "Knit & Natter"} in found
    assert {"field": "url", "before": "", "after": "https://k.example"} in found
    assert len(found) == 2
    assert changes(before, before) == []
    assert len(changes(None, after)) >= 3  # a new service: every field it has
    long = changes({"description": ""}, {"description": "x" * 500})[0]["after"]
    assert len(long) == 200 and long.endswith("…")


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7396(target: object, patch: object, result: object) -> None:
    assert merge_patch(target, patch) == result
