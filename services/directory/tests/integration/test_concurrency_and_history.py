"""Issue 18: optimistic concurrency on the curation API (ETag, If-Match, 412/428) and each service's history."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest
from linkwork_contracts.codes import NeedCategory

from .api_support import SECRET, headers, service
from .conftest import RunningDirectory

pytestmark = pytest.mark.integration


async def _created(directory: RunningDirectory) -> tuple[dict[str, Any], str]:
    body = service("Allotment Friends", need=NeedCategory.PHYSICAL_ACTIVITY, area="LS6")
    made = await directory.client.post("/services", json=body, headers=headers())
    assert made.status_code == 201, made.text
    read = await directory.client.get(f"/services/{body['id']}")
    assert read.headers["ETag"] == made.headers["ETag"]
    return body, read.headers["ETag"]


async def test_a_change_made_to_a_stale_version_is_refused_and_nothing_is_overwritten(
    directory: RunningDirectory,
) -> None:
    client = directory.client
    body, tag = await _created(directory)
    first = {**body, "name": "Allotment Friends Leeds"}
    saved = await client.put(f"/services/{body['id']}", json=first, headers={**headers(), "If-Match": tag})
    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] != tag

    # The second curator read the same version before the first one saved.
    second = {**body, "description": "Grow your own vegetables."}
    refused = await client.put(f"/services/{body['id']}", json=second, headers={**headers(), "If-Match": tag})
    assert refused.status_code == 412
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "If-Match"
    patched = await client.patch(
        f"/services/{body['id']}",
        content=b'{"description": "Grow your own vegetables."}',
        headers={**headers(), "If-Match": tag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 412
    stored = (await client.get(f"/services/{body['id']}")).json()
    assert stored["name"] == "Allotment Friends Leeds" and stored["description"] == body["description"]

    # Without If-Match an existing service is not changed at all (428); a new one needs none.
    missing = await client.put(f"/services/{body['id']}", json=second, headers=headers())
    assert missing.status_code == 428 and missing.json()["errors"][0]["rule"] == "required"
    assert (await client.patch(f"/services/{body['id']}", json={"name": "x"}, headers=headers())).status_code == 428

    # With the current ETag the patch applies to the current version, keeping the first change.
    current = saved.headers["ETag"]
    patched = await client.patch(
        f"/services/{body['id']}",
        content=b'{"description": "Grow your own vegetables."}',
        headers={**headers(), "If-Match": current, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Allotment Friends Leeds"
    assert patched.json()["description"] == "Grow your own vegetables."
    # A weak tag never matches (strong comparison), and verify/withdraw check If-Match when sent.
    weak = await client.post(f"/services/{body['id']}/verify", headers={**headers(), "If-Match": f"W/{current}"})
    assert weak.status_code == 412


async def test_of_two_simultaneous_changes_to_one_version_exactly_one_wins(directory: RunningDirectory) -> None:
    body, tag = await _created(directory)
    answers = await asyncio.gather(
        *(
            directory.client.put(
                f"/services/{body['id']}", json={**body, "name": f"Version {n}"}, headers={**headers(), "If-Match": tag}
            )
            for n in range(4)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 412, 412, 412]
    winner = next(a for a in answers if a.status_code == 200).json()["name"]
    assert (await directory.client.get(f"/services/{body['id']}")).json()["name"] == winner


async def test_history_says_who_changed_what_and_when(directory: RunningDirectory) -> None:
    client = directory.client
    body, tag = await _created(directory)
    moved = {**body, "name": "Allotment Friends Headingley"}
    put = await client.put(
        f"/services/{body['id']}", json=moved, headers={**headers(subject="curator-2"), "If-Match": tag}
    )
    assert put.status_code == 200
    # A token that carries the person's name (Keycloak's do): the history names them, beside their id.
    named = jwt.encode(
        {
            "sub": "curator-3",
            "role": "curator",
            "pcn": "U00001",
            "aud": "linkwork",
            "exp": 2**31,
            "name": "Cora Curator",
        },
        SECRET,
    )
    await client.post(f"/services/{body['id']}/verify", headers={"Authorization": f"Bearer {named}"})
    await client.post(f"/services/{body['id']}/withdraw", json={"reason": "closed"}, headers=headers())
    page = await client.get(f"/services/{body['id']}/history", headers=headers())
    assert page.status_code == 200, page.text
    entries = page.json()["contents"]
    assert [e["action"] for e in entries] == ["withdrawn", "verified", "updated", "created"]
    assert entries[0]["note"] == "closed" and entries[1]["actor"] == "curator-3"
    assert entries[1]["actor_name"] == "Cora Curator" and "actor_name" not in entries[0]
    renamed = entries[2]
    assert renamed["actor"] == "curator-2"
    assert {"field": "name", "before": "Allotment Friends", "after": "Allotment Friends Headingley"} in renamed[
        "changes"
    ]
    assert all(e["at"] for e in entries)
    # Only curators read it.
    assert (await client.get(f"/services/{body['id']}/history")).status_code == 401
