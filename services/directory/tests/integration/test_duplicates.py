"""Issue 18: duplicate detection across imported directories, on two overlapping synthetic directories with a
known answer (tests/duplicate_directories.py), imported through the real import API; then a merge that keeps
both histories, withdraws the service merged away and redirects its readers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from ..duplicate_directories import Entry, overlapping_directories
from .api_support import eventually, headers
from .conftest import RunningDirectory

pytestmark = pytest.mark.integration
LISTING_FIELDS = ["id", "name", "directory", "organization", "postcodes", "phones", "websites"]


async def _import(directory: RunningDirectory, entries: list[Entry], name: str) -> None:
    document = {"total_items": len(entries), "contents": [entry.document() for entry in entries]}
    started = await directory.client.post(
        "/imports", params={"directory": name, "name": "service_list.json"}, json=document, headers=headers()
    )
    assert started.status_code == 202, started.text

    async def finished() -> bool:
        job = (await directory.client.get(started.headers["Location"], headers=headers())).json()
        assert job["status"] != "failed", job
        return bool(job["status"] == "finished")

    await eventually(finished, what=f"the import of {name}")
    job = (await directory.client.get(started.headers["Location"], headers=headers())).json()
    assert job["directory"] == name
    assert job["report"]["summary"]["rejected"] == 0, job["report"]


async def _all_candidates(directory: RunningDirectory) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        body = (await directory.client.get("/duplicates", params={"page": page}, headers=headers())).json()
        found += body["contents"]
        if body["last_page"] or not body["contents"]:
            return found
        page += 1


async def test_the_duplicate_finder_meets_the_known_answer_and_a_merge_keeps_both_histories(
    directory: RunningDirectory,
) -> None:
    known = overlapping_directories()
    await _import(directory, known.first, "Leeds City Council")
    await _import(directory, known.second, "Leeds Third Sector Network")

    candidates = await _all_candidates(directory)
    found = {frozenset((c["first"]["id"], c["second"]["id"])) for c in candidates}
    answer = {frozenset(pair) for pair in known.answer}
    true_positives = len(found & answer)
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / len(answer)
    print(
        f"\nduplicates: {len(known.first)} + {len(known.second)} listings, {len(answer)} listed twice; "
        f"found {len(found)}, of which {true_positives} right: precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.9 and recall >= 0.9
    assert all(c["first"]["directory"] != c["second"]["directory"] for c in candidates)
    # What a curator's client reads of each listing: these fields in this order, the id as a string and the
    # collections as lists. The route writes the domain's Listing whole (asdict), so a field added there
    # must be a deliberate change to this answer.
    listings = [c[side] for c in candidates for side in ("first", "second")]
    assert all(list(listing) == LISTING_FIELDS for listing in listings)
    assert all(str(UUID(listing["id"])) == listing["id"] for listing in listings)
    assert all(isinstance(listing[name], list) for listing in listings for name in ("postcodes", "phones", "websites"))

    # Merge the most alike pair: the council's listing stays.
    best = candidates[0]
    keep, away = (
        (best["first"], best["second"])
        if best["first"]["directory"] == "Leeds City Council"
        else (best["second"], best["first"])
    )
    client = directory.client
    tag = (await client.get(f"/services/{keep['id']}")).headers["ETag"]
    merged = await client.post(
        "/duplicates/merge",
        json={"keep": keep["id"], "merge": away["id"]},
        headers={**headers(subject="curator-merge"), "If-Match": tag},
    )
    assert merged.status_code == 200, merged.text
    moved = await client.get(f"/services/{away['id']}")
    assert moved.status_code == 301 and moved.headers["Location"] == f"/services/{keep['id']}"
    assert moved.json()["social_prescribing"]["withdrawn_at"]
    history = (await client.get(f"/services/{keep['id']}/history", headers=headers())).json()["contents"]
    by_service: dict[str, list[str]] = {}
    for entry in history:
        by_service.setdefault(entry["service_id"], []).append(entry["action"])
    # Both imports, the withdrawal and the merge, on both sides: nothing of either history is lost.
    assert by_service[keep["id"]] == ["merged", "imported"]
    assert by_service[away["id"]] == ["merged", "withdrawn", "imported"]
    assert (await _all_candidates(directory)).count(best) == 0

    # A second merge of the same service, or into a merged one, is refused.
    again = await client.post("/duplicates/merge", json={"keep": keep["id"], "merge": away["id"]}, headers=headers())
    assert again.status_code == 409
    # A dismissed pair is not offered again.
    other = next(c for c in await _all_candidates(directory))
    dismissed = await client.post(
        "/duplicates/dismiss", json={"first": other["first"]["id"], "second": other["second"]["id"]}, headers=headers()
    )
    assert dismissed.status_code == 204
    assert other not in await _all_candidates(directory)
    assert UUID(keep["id"])
