"""The matching service running in-process on the real broker and PostgreSQL, on its own topics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from uuid import uuid4

import pytest
from fastapi import FastAPI
from linkwork_contracts import topics
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import Event, ReferralCreatedV1
from linkwork_matching.adapters import referral_store
from linkwork_matching.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.messaging import Backoff, RetryPolicy
from linkwork_stack.databases import scratch_database
from linkwork_stack.testing import own_topics

from .kafka_support import eventually, publish

JWT_SECRET = "matching-integration-tests-jwt-secret-0123456789"
FAST_RETRY = RetryPolicy(max_attempts=2, backoff=Backoff(initial=0.05, maximum=0.2))
Token = Callable[..., dict[str, str]]
Send = Callable[[str, Iterable[Event | CloudEvent]], Awaitable[None]]
INPUTS = (
    topics.SERVICE_CHANGED,
    topics.REFERRAL_CREATED,
    topics.PLAN_AGREED,
    topics.FOLLOW_UP_RECORDED,
    topics.ATTENDANCE_CONFIRMED,
)


@pytest.fixture
async def topic_prefix(kafka_bootstrap: str) -> AsyncIterator[str]:
    """Input topics of this test only (deleted afterwards), so the read model replays nothing another test
    wrote, and no other session's matching service answers this test's referrals."""
    async with own_topics(kafka_bootstrap, INPUTS, compacted=[topics.SERVICE_CHANGED]) as prefix:
        yield prefix


def settings_for(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> Settings:
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=JWT_SECRET,
        topic_prefix=topic_prefix,
        consumer_group_prefix=f"matching-test-{uuid4().hex[:10]}",
        index_sync_seconds=0.1,
        read_model_catch_up_seconds=30,
        # Tests report gaps themselves, at moments they choose.
        gap_report_seconds=3600,
    )


@pytest.fixture
def send(kafka_bootstrap: str, topic_prefix: str) -> Send:
    """Publish to this test's own copy of an input topic: `await send(topics.SERVICE_CHANGED, [snapshot()])`."""

    async def publish_to(topic: str, items: Iterable[Event | CloudEvent]) -> None:
        await publish(kafka_bootstrap, topic_prefix + topic, items)

    return publish_to


@pytest.fixture
def settings(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> Settings:
    return settings_for(database_url, kafka_bootstrap, topic_prefix)


@pytest.fixture
async def second_database_url(postgres_url: str) -> AsyncIterator[str]:
    """Another empty database, for a second replica's state or a rebuild beside the first."""
    async with scratch_database(postgres_url, "test_second") as url:
        yield url


@pytest.fixture
def token() -> Token:
    def headers(role: str = "link_worker", pcn: str = "U99999") -> dict[str, str]:
        jwt = issue_token(JWT_SECRET, subject="lw-1", role=role, pcn=pcn)
        return {"Authorization": f"Bearer {jwt}"}

    return headers


async def refer_and_wait_for_matches(app: FastAPI, send: Send, person: ReferralCreatedV1) -> None:
    """Publish the referral to the running app and wait until matching has stored its suggestion set."""
    await send(topics.REFERRAL_CREATED, [person])
    await eventually(
        lambda: referral_store.count_suggestion_sets(app.state.context.pool, person.referral_id),
        within=30,
        what="the referral's suggestion set",
    )
