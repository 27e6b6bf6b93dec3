"""A link worker's whole journey through the console's pages, against the real referral service (in-process,
on real PostgreSQL and Kafka): new referral, accept, contact, SWEMWBS, plan, follow-up, close. Sign-in is
stood in for by a session holding an HS256 development token; tests/console does it through Keycloak."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from linkwork_console.adapters.services import Services
from linkwork_contracts.codes import EthnicCategory
from linkwork_referral.adapters.samples import synthetic_nhs_number
from linkwork_referral.app import build_app as build_referral
from linkwork_referral.settings import Settings as ReferralSettings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import running_app
from linkwork_stack.databases import scratch_database

from ..conftest import SignIn

pytestmark = pytest.mark.integration
JWT_SECRET = "console-integration-tests-jwt-secret-0123456789"


@pytest.fixture
async def referral_service(postgres_url: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    async with scratch_database(postgres_url) as url:
        settings = ReferralSettings(
            database_url=url,
            kafka_bootstrap_servers=kafka_bootstrap,
            jwt_secret=JWT_SECRET,
            consumer_group_prefix=f"console-test-{uuid4().hex[:10]}",
        )
        async with running_app(build_referral(settings)) as client:
            yield client


@pytest.fixture
def wired(console: FastAPI, referral_service: httpx.AsyncClient) -> FastAPI:
    console.state.services = Services(referral_service, {"referral": "http://service.test"})
    return console


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:2000]
    return found.group(1)


def token(role: str = "link_worker", pcn: str = "U00001", subject: str = "lw-1") -> str:
    return issue_token(JWT_SECRET, subject=subject, role=role, pcn=pcn)


async def post_form(browser: httpx.AsyncClient, path: str, data: dict[str, str | list[str]]) -> httpx.Response:
    page = await browser.get(path)
    assert page.status_code == 200, page.text[:500]
    return await browser.post(path, data={**data, "csrf_token": csrf(page)})


async def referred(referral_service: httpx.AsyncClient, *, seed: int) -> str:
    """A new referral made by GP gp-1 straight to the referral service; its path on the console."""
    from linkwork_referral.adapters.samples import referral_body

    made = await referral_service.post(
        "/referrals",
        json=referral_body(synthetic_nhs_number(random.Random(seed))),
        headers={"Authorization": f"Bearer {token('referrer', subject='gp-1')}"},
    )
    assert made.status_code == 201, made.text
    return f"/referrals/{made.json()['id']}"


async def new_record(
    browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient, *, seed: int
) -> tuple[str, httpx.Response]:
    """A new referral and its record page as link worker lw-1 (signed in) sees it: the path and the page."""
    path = await referred(referral_service, seed=seed)
    await sign_in(token())
    return path, await browser.get(path)


def date_boxes(prefix: str, day: date) -> dict[str, str]:
    """An NHS.UK date input's three boxes, as the browser posts them."""
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


async def test_journey_from_new_referral_to_closure(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn
) -> None:
    await sign_in(token())
    nhs_number = synthetic_nhs_number(random.Random(99))

    wrong = await post_form(browser, "/referrals/new", {"given_name": "Ada", "nhs_number": "1234567890"})
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.text and 'href="#nhs_number"' in wrong.text
    assert "Enter a valid NHS number" in wrong.text
    assert "<title>Error: New referral" in wrong.text

    details: dict[str, str | list[str]] = {
        "given_name": "Ada",
        "family_name": "Example",
        "nhs_number": nhs_number,
        "dob-day": "14",
        "dob-month": "3",
        "dob-year": "1950",
        "sex": "female",
        "postcode": "LS6 1AA",
        "phone": "0113 496 0000",
        "needs": ["loneliness-isolation", "physical-activity"],
        "source": "self-referral",
        "consent": "yes",
        "safeguarding": "yes",
    }
    made = await post_form(browser, "/referrals/new", details)
    assert made.status_code == 303, made.text[:3000]
    record_path = made.headers["location"]
    again = await post_form(browser, "/referrals/new", details)
    assert again.status_code == 200 and "may already have an open referral" in again.text
    assert record_path in again.text and "Make the referral anyway" in again.text
    record = await browser.get(record_path)
    assert "Safeguarding concern" in record.text and "Referral made" in record.text

    unassigned = await browser.get("/caseload?view=unassigned")
    assert record_path in unassigned.text
    assert record_path in (await browser.get("/caseload?view=all&safeguarding=yes&q=Example")).text
    assert record_path not in (await browser.get("/caseload?view=all&q=Nobody")).text

    accepted = await browser.post(f"{record_path}/accept", data={"csrf_token": csrf(record)})
    assert accepted.status_code == 303
    mine = await browser.get("/caseload")
    assert record_path in mine.text

    contact = await post_form(
        browser, f"{record_path}/contacts", {"kind": "first-contact", "mode": "telephone", "outcome": "contact-made"}
    )
    assert contact.status_code == 303

    partial = await post_form(
        browser, f"{record_path}/what-matters", {"needs": ["loneliness-isolation"], "swemwbs-0": "2"}
    )
    assert partial.status_code == 400 and 'href="#swemwbs-1"' in partial.text
    assessed = await post_form(
        browser,
        f"{record_path}/what-matters",
        {
            "what_matters": "Getting out of the house and meeting people",
            "needs": ["loneliness-isolation"],
            **{f"swemwbs-{i}": "2" for i in range(7)},
        },
    )
    assert assessed.status_code == 303
    record = await browser.get(record_path)
    assert "SWEMWBS metric score 15.32 (raw 14 of 35)" in record.text

    due = date.today() + timedelta(days=30)
    planned = await post_form(
        browser,
        f"{record_path}/plan",
        {"goals": "Join a walking group", **date_boxes("follow-up", due)},
    )
    assert planned.status_code == 303, planned.text[:3000]
    due = await browser.get("/caseload?view=mine&overdue=yes")
    assert '<strong aria-current="page">My follow-ups due</strong>' in due.text
    assert record_path not in due.text  # its follow-up is a month away

    followed = await post_form(
        browser,
        f"{record_path}/follow-up",
        {"mode": "telephone", "outcome": "contact-made", **{f"swemwbs-{i}": "4" for i in range(7)}},
    )
    assert followed.status_code == 303, followed.text[:3000]

    closing = await browser.get(f"{record_path}/close")
    assert "SWEMWBS metric score" in closing.text and ">Yes <" in closing.text  # meaningful change shown
    closed = await browser.post(f"{record_path}/close", data={"reason": "goals-met", "csrf_token": csrf(closing)})
    assert closed.status_code == 303
    record = await browser.get(record_path)
    assert "Completed" in record.text and "Goals met" in record.text


async def test_a_new_referral_records_ethnic_category_as_not_known(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    """The new-referral form does not ask the person's ethnic category, so it is recorded as not known (99), not
    as not stated (Z: asked, and chose not to say)."""
    await sign_in(token())
    made = await post_form(
        browser,
        "/referrals/new",
        {
            "given_name": "Ada",
            "family_name": "Unasked",
            "nhs_number": synthetic_nhs_number(random.Random(13)),
            **date_boxes("dob", date(1950, 3, 14)),
            "sex": "female",
            "phone": "0113 496 0000",
            "needs": ["loneliness-isolation"],
            "source": "self-referral",
            "consent": "yes",
        },
    )
    assert made.status_code == 303, made.text[:3000]
    record = await referral_service.get(
        f"/referrals/{made.headers['location'].rsplit('/', 1)[-1]}",
        headers={"Authorization": f"Bearer {token()}"},
    )
    assert record.json()["person"]["ethnic_category"] == EthnicCategory.NOT_KNOWN


async def test_other_pcn_and_other_roles_see_no_case_record(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    path = await referred(referral_service, seed=5)

    await sign_in(token(pcn="U00002", subject="lw-b"), pcn="U00002")
    assert (await browser.get(path)).status_code == 404
    assert path not in (await browser.get("/caseload?view=all")).text

    for role in ("provider", "curator", "commissioner"):
        await sign_in(token(role=role, subject=f"{role}-1"), role=role)
        assert (await browser.get(path)).status_code == 404
        assert (await browser.get("/caseload")).status_code == 404

    await sign_in(token("referrer", subject="gp-2"), role="referrer")
    assert (await browser.get(path)).status_code == 404
    await sign_in(token("referrer", subject="gp-1"), role="referrer")
    assert (await browser.get(path)).status_code == 200


async def test_a_link_worker_takes_over_and_a_pcn_manager_reassigns(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    path = await referred(referral_service, seed=6)
    accepted = await referral_service.post(
        f"{path}/accept", json={}, headers={"Authorization": f"Bearer {token(subject='lw-1')}"}
    )
    assert accepted.status_code == 200

    await sign_in(token(subject="lw-2"), subject="lw-2")
    record = await browser.get(path)
    assert "Take over this referral" in record.text
    taken = await browser.post(f"{path}/reassign", data={"csrf_token": csrf(record)})
    assert taken.status_code == 303
    assert "Referral reassigned" in (await browser.get(path)).text

    await sign_in(token("pcn_admin", subject="admin-1"), role="pcn_admin", subject="admin-1")
    record = await browser.get(path)
    assert "Accept and allocate" not in record.text
    assert "Reassign to link worker" in record.text
    wrong = await browser.post(f"{path}/reassign", data={"csrf_token": csrf(record), "link_worker": "lw-2"})
    assert wrong.status_code == 400 and 'href="#link_worker"' in wrong.text
    moved = await browser.post(f"{path}/reassign", data={"csrf_token": csrf(record), "link_worker": "lw-1"})
    assert moved.status_code == 303


async def test_hold_resume_and_entered_in_error_through_the_record(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    path, record = await new_record(browser, sign_in, referral_service, seed=7)
    assert (await browser.post(f"{path}/accept", data={"csrf_token": csrf(record)})).status_code == 303

    record = await browser.get(path)
    assert "Put on hold" in record.text and "Mark as entered in error" in record.text
    # No reason: the form again, 400, an NHS error summary linking to the field, "Error: " in the title.
    empty = await post_form(browser, f"{path}/hold", {"reason": ""})
    assert empty.status_code == 400
    assert "nhsuk-error-summary" in empty.text and 'href="#reason"' in empty.text
    assert "<title>Error: " in empty.text
    held = await post_form(browser, f"{path}/hold", {"reason": "In hospital until next month"})
    assert held.status_code == 303
    record = await browser.get(path)
    assert "Referral put on hold" in record.text and "In hospital until next month" in record.text
    assert "Resume referral" in record.text and "Log a contact" not in record.text

    resumed = await browser.post(f"{path}/resume", data={"csrf_token": csrf(record)})
    assert resumed.status_code == 303
    record = await browser.get(path)
    assert "Referral resumed" in record.text and "Log a contact" in record.text

    # Without the session's CSRF token nothing happens.
    forged = await browser.post(f"{path}/entered-in-error", data={"reason": "Wrong person"})
    assert forged.status_code == 400 and "This form has expired" in forged.text
    marked = await post_form(browser, f"{path}/entered-in-error", {"reason": "Wrong person"})
    assert marked.status_code == 303
    record = await browser.get(path)
    assert "Referral marked as entered in error" in record.text and "left out of every outcomes figure" in record.text
    assert f'href="{path}/hold"' not in record.text and f'href="{path}/entered-in-error"' not in record.text


async def test_the_caseload_finds_referrals_by_every_closed_state(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    """A referral closed because the person moved away ends cancelled (the contracts' closure status): the
    caseload's status filter offers it and finds the referral, as it does every state the referral API lists."""
    path, record = await new_record(browser, sign_in, referral_service, seed=11)
    assert (await browser.post(f"{path}/accept", data={"csrf_token": csrf(record)})).status_code == 303
    closed = await post_form(browser, f"{path}/close", {"reason": "moved-away"})
    assert closed.status_code == 303

    cancelled = await browser.get("/caseload", params={"view": "all", "status": "cancelled"})
    assert '<option value="cancelled" selected>' in cancelled.text
    assert '<option value="failed">' in cancelled.text
    assert path in cancelled.text
    assert path not in (await browser.get("/caseload", params={"view": "all"})).text  # open referrals only


async def test_person_details_changed_on_the_record(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    path, record = await new_record(browser, sign_in, referral_service, seed=8)
    assert f'href="{path}/person"' in record.text
    page = await browser.get(f"{path}/person")
    assert 'value="Ada"' in page.text  # filled in with the details held

    form = {
        "given_name": "Ada",
        "family_name": "Example",
        "dob-day": "31",
        "dob-month": "2",
        "dob-year": "1948",
        "sex": "female",
        "postcode": "LS1 1UR",
        "phone": "07700 900123",
    }
    wrong = await post_form(browser, f"{path}/person", {**form, "given_name": ""})
    assert wrong.status_code == 400 and 'href="#given_name"' in wrong.text and 'href="#dob-day"' in wrong.text
    bad_postcode = await post_form(browser, f"{path}/person", {**form, "dob-day": "3", "postcode": "NOT A CODE"})
    assert bad_postcode.status_code == 400 and "Enter a full UK postcode" in bad_postcode.text
    saved = await post_form(browser, f"{path}/person", {**form, "dob-day": "3"})
    assert saved.status_code == 303
    record = await browser.get(path)
    assert "Person details saved. New suggestions will follow" in record.text and "LS1 1UR" in record.text
    held = await referral_service.get(path, headers={"Authorization": f"Bearer {token()}"})
    assert held.json()["version"] == 2 and held.json()["person"]["date_of_birth"] == "1948-02-03"


async def test_caseload_sorted_by_urgency_or_waiting_time(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    from linkwork_referral.adapters.samples import referral_body

    rng = random.Random(9)
    names = []
    for index, urgency in enumerate(("routine", "urgent", "routine")):
        body = referral_body(synthetic_nhs_number(rng), urgency=urgency)
        body["person"] = {**body["person"], "family_name": f"Sortable{index}"}
        made = await referral_service.post(
            "/referrals", json=body, headers={"Authorization": f"Bearer {token('referrer', subject='gp-1')}"}
        )
        assert made.status_code == 201
        names.append(f"Sortable{index}")
    await sign_in(token())

    def order(page: httpx.Response) -> list[str]:
        return re.findall(r"Sortable\d", page.text)

    newest = await browser.get("/caseload", params={"view": "all", "q": "Sortable"})
    assert order(newest) == names[::-1]
    first = await browser.get("/caseload", params={"view": "all", "q": "Sortable", "sort": "urgency"})
    assert '<option value="urgency" selected>' in first.text
    assert order(first) == [names[1], names[0], names[2]]
    waiting = await browser.get("/caseload", params={"view": "all", "q": "Sortable", "sort": "waiting"})
    assert order(waiting) == names
    ignored = await browser.get("/caseload", params={"view": "all", "q": "Sortable", "sort": "nonsense"})
    assert ignored.status_code == 200 and order(ignored) == names[::-1]


async def test_the_plan_records_what_may_be_shared_with_each_provider(
    wired: FastAPI, browser: httpx.AsyncClient, sign_in: SignIn, referral_service: httpx.AsyncClient
) -> None:
    """Issue 17: per chosen activity, what the person agrees to share with its provider (nothing unless ticked)."""
    record_path, record = await new_record(browser, sign_in, referral_service, seed=1717)
    assert (await browser.post(f"{record_path}/accept", data={"csrf_token": csrf(record)})).status_code == 303
    contact = {"kind": "first-contact", "mode": "telephone", "outcome": "contact-made"}
    assert (await post_form(browser, f"{record_path}/contacts", contact)).status_code == 303
    assessment = {"needs": ["loneliness-isolation"], **{f"swemwbs-{i}": "2" for i in range(7)}}
    assert (await post_form(browser, f"{record_path}/what-matters", assessment)).status_code == 303
    choir, walks = uuid4(), uuid4()
    due = date.today() + timedelta(days=30)
    planned = await post_form(
        browser,
        f"{record_path}/plan",
        {
            "goals": "Sing with others",
            "option": [f"loneliness-isolation|{choir}|Choir", f"loneliness-isolation|{walks}|Walks"],
            f"share-{choir}": ["first_name", "needs"],
            f"contact-{choir}": "phone",
            **date_boxes("follow-up", due),
        },
    )
    assert planned.status_code == 303, planned.text[:3000]
    answer = await referral_service.get(
        f"/referrals/{record_path.rsplit('/', 1)[-1]}", headers={"Authorization": f"Bearer {token()}"}
    )
    shares = {a["service_id"]: a["share"] for a in answer.json()["plan"]["activities"]}
    assert shares == {
        str(choir): {"first_name": True, "contact": "phone", "needs": True, "accessibility_needs": False},
        str(walks): {"first_name": False, "contact": "via-link-worker", "needs": False, "accessibility_needs": False},
    }
