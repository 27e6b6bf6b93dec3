"""Provider figures (issue 17) from the running service: answers and attendance over real Kafka, the
reports API with suppression and scopes, and a rebuild from the topics giving the same tables."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import ActivityReferralDecision, ConfirmedBy, DeclineReason, SessionAttendance
from linkwork_contracts.envelope import CloudEvent, wrap
from linkwork_contracts.events import Event
from linkwork_outcomes.app import build_app
from linkwork_outcomes.entrypoints.rebuild_projections import run as run_rebuild
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import running_app
from linkwork_stack.databases import scratch_database
from outcomes_support import JWT_SECRET, eventually, own_topics_settings, produce, snapshot

pytestmark = pytest.mark.integration
PCN, ICB = "U10001", "QWO"  # in the sample area hierarchy the service reports for
REFERRED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _token(role: str, pcn: str = PCN) -> dict[str, str]:
    token = issue_token(JWT_SECRET, subject="tester", role=role, pcn=pcn, icb=ICB)
    return {"Authorization": f"Bearer {token}"}


def _history(service: uuid.UUID) -> list[Event]:
    """6 accepted in 2 days (each attends 2 sessions and misses 1; 5 complete), 5 declined for no response
    after 14 days. Attendance of the first is confirmed twice over (a repeat, a changed answer)."""
    events: list[Event] = []
    base = {"service_id": service, "organization_id": examples.ORGANIZATION_ID, "pcn_code": PCN}
    for n in range(11):
        activity, referral = uuid.uuid4(), uuid.uuid4()
        accepted = n < 6
        events.append(
            examples.ACTIVITY_REFERRAL_RESPONDED.model_copy(
                update={
                    **base,
                    "activity_referral_id": activity,
                    "referral_id": referral,
                    "referred_at": REFERRED,
                    "responded_at": REFERRED + timedelta(days=2 if accepted else 14),
                    "decision": ActivityReferralDecision.ACCEPTED if accepted else ActivityReferralDecision.DECLINED,
                    "decline_reason": None if accepted else DeclineReason.NO_RESPONSE,
                    "starts_on": date(2025, 3, 10) if accepted else None,
                }
            )
        )
        if not accepted:
            continue
        for week, attendance in enumerate(
            (SessionAttendance.ATTENDED, SessionAttendance.DID_NOT_ATTEND, SessionAttendance.ATTENDED)
        ):
            events.append(
                examples.ATTENDANCE_CONFIRMED.model_copy(
                    update={
                        **base,
                        "activity_referral_id": activity,
                        "referral_id": referral,
                        "attendance_id": uuid.uuid4(),
                        "recorded_at": REFERRED + timedelta(days=7 * (week + 1)),
                        "confirmed_by": ConfirmedBy.PROVIDER,
                        "session_on": date(2025, 3, 10) + timedelta(days=7 * week),
                        "attendance": attendance,
                        "completed": week == 2 and n < 5,
                        "sessions_attended": 1 + (week == 2),
                    }
                )
            )
    return events


async def test_provider_figures_live_and_rebuilt(kafka_bootstrap: str, database_url: str, postgres_url: str) -> None:
    async with own_topics_settings(database_url, kafka_bootstrap) as settings:
        prefix, group = settings.topic_prefix, settings.consumer_group
        events = _history(uuid.uuid4())
        deliveries: list[tuple[Event, CloudEvent]] = [(e, wrap(e, source="urn:linkwork:test")) for e in events]
        deliveries.append(deliveries[3])  # the same record delivered twice
        await produce(kafka_bootstrap, prefix, deliveries)
        query = {"start": "2025-03", "end": "2025-03"}
        async with running_app(build_app(settings)) as client:

            async def applied() -> bool:
                connection = await asyncpg.connect(database_url)
                try:
                    count = await connection.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", group)
                finally:
                    await connection.close()
                return bool(count == len(events))

            await eventually(applied, within=120, what="every provider-loop event applied")
            response = await client.get("/reports/providers", params=query, headers=_token("commissioner"))
            assert response.status_code == 200, response.text
            [provider] = response.json()["providers"]
            figures = provider["figures"]
            assert provider["organization_id"] == str(examples.ORGANIZATION_ID)
            assert (figures["referred"], figures["accepted"], figures["declined"]) == (11, 6, 5)
            assert figures["declined_by_reason"]["no-response"] == 5
            assert (figures["acceptance_rate"], figures["decline_rate"]) == (0.5455, 0.4545)
            assert figures["median_response_days"] == 2.0  # 6 answers in 2 days, 5 in 14: the 6th of 11
            # 6 started and 5 completed (1 not completed is hidden, so completed is too: 6 = 5 + 1).
            assert (figures["started"], figures["completed"], figures["completion_rate"]) == (6, None, None)
            assert (figures["sessions_attended"], figures["sessions_missed"]) == (12, 6)
            assert figures["did_not_attend_rate"] == 0.3333
            assert provider["services"][0]["figures"] == figures

            # A PCN admin sees their own PCN; another PCN's admin sees no providers; a referrer nothing.
            own = await client.get("/reports/providers", params=query, headers=_token("pcn_admin"))
            assert len(own.json()["providers"]) == 1
            other = await client.get("/reports/providers", params=query, headers=_token("pcn_admin", "U10002"))
            assert other.json()["providers"] == []
            refused = await client.get("/reports/providers", params=query, headers=_token("referrer"))
            assert refused.status_code == 403
            practice = await client.get(
                "/reports/providers", params={**query, "practice": "B86001"}, headers=_token("commissioner")
            )
            assert practice.status_code == 422 and practice.json()["detail"].startswith("practice:")
            live = await snapshot(database_url)
        async with scratch_database(postgres_url) as fresh:
            await run_rebuild(fresh, kafka_bootstrap, prefix, workers=1)
            rebuilt = await snapshot(fresh)
        assert rebuilt["activity_referral"] == live["activity_referral"] and len(live["activity_referral"]) == 11
        assert rebuilt["session_attendance"] == live["session_attendance"]
        assert rebuilt["activity_completion"] == live["activity_completion"]
