"""Issue 17, the provider's capacity and waiting-list pages against the real directory (in process, on
PostgreSQL and Kafka): own services only, capacity saved with errors summarised, the list in order with its
estimated wait, someone started, someone taken off with a reason. (Chromium and axe: tests/console.)"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from linkwork_runtime.auth import Role, issue_token

from ..conftest import SignIn
from .test_curator_pages import SECRET, Directory
from .test_curator_pages import directory as directory  # the real directory behind the console, shared

pytestmark = pytest.mark.integration
ORG = str(uuid.uuid4())


def _service(name: str, org: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "description": "A gentle weekly walk.",
        "status": "active",
        "organization": {"id": org, "name": f"{name} CIO", "description": "A local charity."},
        "social_prescribing": {"need_categories": ["physical-activity"], "delivery_modes": ["telephone"]},
    }


async def test_a_provider_keeps_capacity_and_the_waiting_list(
    directory: Directory, browser: httpx.AsyncClient, sign_in: SignIn
) -> None:
    walk, other = _service("Headingley Walking Group", ORG), _service("Someone Else's Choir", str(uuid.uuid4()))
    for body in (walk, other):
        assert (await directory.client.post("/services", json=body, headers=directory.headers)).status_code == 201
    token = issue_token(SECRET, subject="provider-1", role=Role.PROVIDER, pcn="", organisation=ORG)
    session = await sign_in(token=token, role="provider", pcn="", subject="provider-1")
    csrf, sid = session.csrf_token, walk["id"]

    listing = await browser.get("/provider/capacity")
    assert listing.status_code == 200
    assert "Headingley Walking Group" in listing.text and "Someone Else" not in listing.text
    assert (await browser.get(f"/provider/capacity/{other['id']}")).status_code == 404

    page = await browser.get(f"/provider/capacity/{sid}")
    assert page.status_code == 200 and "Nobody is waiting" in page.text

    bad = await browser.post(f"/provider/capacity/{sid}", data={"csrf_token": csrf, "places": "six"})
    assert bad.status_code == 400
    assert 'href="#places"' in bad.text and 'href="#waiting_list"' in bad.text
    assert 'value="six"' in bad.text  # what they typed is kept for them
    saved = await browser.post(
        f"/provider/capacity/{sid}", data={"csrf_token": csrf, "places": "2", "waiting_list": "yes"}
    )
    assert saved.status_code == 303

    for _ in range(3):
        assert (await browser.post(f"/provider/capacity/{sid}/add", data={"csrf_token": csrf})).status_code == 303
    page = await browser.get(f"/provider/capacity/{sid}")
    assert "Added to the end of the waiting list" in page.text
    # 3 ahead + the newcomer at the 2 places a week declared: 2 weeks.
    assert "About 2 weeks" in page.text and 'id="waiting">3<' in page.text
    mine = {"Authorization": f"Bearer {token}"}
    view = (await directory.client.get(f"/services/{sid}/waiting-list", headers=mine)).json()
    first, second, _ = (entry["id"] for entry in view["entries"])

    started = await browser.post(f"/provider/capacity/{sid}/entries/{first}/start", data={"csrf_token": csrf})
    assert started.status_code == 303
    remove = await browser.get(f"/provider/capacity/{sid}/entries/{second}/remove")
    assert remove.status_code == 200 and "Why are they leaving the list?" in remove.text
    unchosen = await browser.post(f"/provider/capacity/{sid}/entries/{second}/remove", data={"csrf_token": csrf})
    assert unchosen.status_code == 400 and 'href="#reason"' in unchosen.text
    removed = await browser.post(
        f"/provider/capacity/{sid}/entries/{second}/remove", data={"csrf_token": csrf, "reason": "no-longer-wanted"}
    )
    assert removed.status_code == 303
    page = await browser.get(f"/provider/capacity/{sid}")
    assert 'id="waiting">1<' in page.text and "About 1 week" in page.text

    # Not a provider: the console answers as for any record one may not see (404, nothing said about it).
    await sign_in(role="link_worker")
    assert (await browser.get("/provider/capacity")).status_code == 404
