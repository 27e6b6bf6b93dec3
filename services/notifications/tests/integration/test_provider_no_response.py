"""Issue 17: a provider that never answered an activity referral gives the link worker's PCN one task; a
provider's own answer (accepted, or declined with a reason) gives none."""

from __future__ import annotations

import uuid

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import ActivityReferralDecision, DeclineReason
from linkwork_contracts.envelope import wrap
from linkwork_notifications.app import build_app
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import running_app
from notifications_support import JWT_SECRET, eventually, notify_world, produce, service_settings

pytestmark = pytest.mark.integration


async def test_no_response_raises_one_task(kafka_bootstrap: str, database_url: str) -> None:
    async with notify_world(kafka_bootstrap) as (prefix, notify, routes):
        settings = service_settings(database_url, kafka_bootstrap, prefix, notify.url, routes.url)
        silent, answered = uuid.uuid4(), uuid.uuid4()
        declined = examples.ACTIVITY_REFERRAL_RESPONDED.model_copy(
            update={
                "referral_id": silent,
                "activity_referral_id": uuid.uuid4(),
                "decision": ActivityReferralDecision.DECLINED,
                "decline_reason": DeclineReason.NO_RESPONSE,
                "starts_on": None,
            }
        )
        by_provider = declined.model_copy(update={"referral_id": answered, "decline_reason": DeclineReason.NO_CAPACITY})
        envelope = wrap(declined, source="urn:test:referral")
        events = [(declined, envelope), (declined, envelope), (by_provider, wrap(by_provider, source="urn:test"))]
        token = issue_token(JWT_SECRET, subject="lw-0042", role="link_worker", pcn=examples.PCN)
        headers = {"Authorization": f"Bearer {token}"}
        async with running_app(build_app(settings)) as client:
            await produce(kafka_bootstrap, prefix, events)
            on = declined.responded_at.date().isoformat()

            async def no_response_tasks() -> list[dict[str, object]]:
                answer = await client.get("/tasks", params={"on": on}, headers=headers)
                return [t for t in answer.json()["tasks"] if t["kind"] == "provider-no-response"]

            mine = await eventually(no_response_tasks, within=60, what="the no-response task")
            await produce(kafka_bootstrap, prefix, [(declined, envelope)])  # delivered again: still one task
            again = await no_response_tasks()
        assert [t["referral_id"] for t in mine] == [str(silent)]
        assert [t["referral_id"] for t in again] == [str(silent)]
