"""Editing the person's details over HTTP: a change matching uses re-publishes referral-created with the next
version (a phone number does not); the NHS number cannot change; bad input is a 422 naming the field and rule;
suggestions for the new version replace the old ones and a late one for the old version does not come back."""

from __future__ import annotations

import random
from typing import Any
from uuid import UUID

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.settings import Settings

from .conftest import Token
from .kafka_support import eventually, tail
from .test_journey import publish_suggestions

pytestmark = pytest.mark.integration


async def test_person_changes_and_versions(client: httpx.AsyncClient, token: Token, settings: Settings) -> None:
    bootstrap = settings.kafka_bootstrap_servers
    referrer, worker = token("referrer", subject="gp-1"), token()
    body = referral_body(synthetic_nhs_number(random.Random()))
    person: dict[str, Any] = body["person"]
    async with tail(bootstrap, topics.REFERRAL_CREATED) as kafka:
        rid = (await client.post("/referrals", json=body, headers=referrer)).json()["id"]

        phone = await client.put(f"/referrals/{rid}/person", json={**person, "phone": "07700 900123"}, headers=worker)
        assert phone.status_code == 200, phone.text
        assert phone.json()["version"] == 1 and phone.json()["person"]["phone"] == "07700 900123"

        moved = {**person, "phone": "07700 900123", "postcode": "LS1 1UR"}
        changed = await client.put(f"/referrals/{rid}/person", json=moved, headers=worker)
        assert changed.status_code == 200, changed.text
        assert changed.json()["version"] == 2

        await eventually(lambda: len(kafka.keyed(rid, topics.REFERRAL_CREATED)) >= 2, within=30, what="version 2")
        versions = [m.data["version"] for m in kafka.keyed(rid, topics.REFERRAL_CREATED)]
        assert versions == [1, 2]  # the phone change published nothing
        latest = kafka.keyed(rid, topics.REFERRAL_CREATED)[-1].data
        assert latest["person"]["postcode_district"] == "LS1"
        assert "LS1 1UR" not in str(latest) and "07700" not in str(latest)
        person_ref = latest["person"]["person_ref"]

    number = await client.put(
        f"/referrals/{rid}/person", json={**moved, "nhs_number": synthetic_nhs_number(random.Random())}, headers=worker
    )
    assert number.status_code == 422 and "nhs_number cannot be changed" in number.json()["detail"]
    bad = await client.put(f"/referrals/{rid}/person", json={**moved, "date_of_birth": "1950-02-30"}, headers=worker)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["date_of_birth"], bad.text
    assert "1950-02-30" not in bad.text  # the value is never echoed
    referrer_put = await client.put(f"/referrals/{rid}/person", json=moved, headers=referrer)
    assert referrer_put.status_code in (403, 404)
    timeline = [e["summary"] for e in (await client.get(f"/referrals/{rid}/timeline", headers=worker)).json()]
    assert "Person details changed: phone" in timeline
    assert "Person details changed: postcode (referral version 2)" in timeline

    # Matching suggests again for version 2; that set replaces version 1's, and a late version 1 set does not win.
    await publish_suggestions(settings, UUID(rid), person_ref, 1)
    await publish_suggestions(settings, UUID(rid), person_ref, 2)

    async def version_2_stored() -> bool:
        found = await client.get(f"/referrals/{rid}/suggestions", headers=worker)
        return found.status_code == 200 and found.json()["referral_version"] == 2

    await eventually(version_2_stored, within=30, what="version 2 suggestions")
    await publish_suggestions(settings, UUID(rid), person_ref, 1)
    await publish_suggestions(settings, UUID(rid), person_ref, 2)  # same partition: once this is in, so is the 1

    async def second_version_2() -> bool:
        timeline = (await client.get(f"/referrals/{rid}/timeline", headers=worker)).json()
        return sum("referral version 2" in e["summary"] and "suggestions" in e["summary"] for e in timeline) >= 2

    await eventually(second_version_2, within=30, what="the late suggestions handled")
    assert (await client.get(f"/referrals/{rid}/suggestions", headers=worker)).json()["referral_version"] == 2
