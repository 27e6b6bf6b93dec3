"""Integration fixtures: the referral service running in-process on real PostgreSQL and Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from uuid import uuid4

import asyncpg
import httpx
import pytest
from linkwork_contracts import topics
from linkwork_referral.app import build_app
from linkwork_referral.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.messaging import Backoff, RetryPolicy
from linkwork_runtime.testing import running_app
from linkwork_stack.testing import own_topics

JWT_SECRET = "referral-integration-tests-jwt-secret-0123456789"
PERSON_REF_SECRET = "referral-integration-tests-person-ref-secret-012345"
PCN, OTHER_PCN = "U00001", "U00002"
Token = Callable[..., dict[str, str]]


# The topics the service consumes. Each test gets its own copies (`<topic_prefix><topic>`): on the shared
# broker, another session's referral service reads the contract's topics too, and would answer a request sent
# there a second time (the same referral-created, refusal or dead letter, in its own database).
CONSUMED = [topics.REFERRAL_REQUESTED, topics.MATCHES_SUGGESTED, topics.SERVICE_CHANGED]


@pytest.fixture
async def settings(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Settings]:
    async with own_topics(kafka_bootstrap, CONSUMED) as topic_prefix:
        yield Settings(
            database_url=database_url,
            kafka_bootstrap_servers=kafka_bootstrap,
            jwt_secret=JWT_SECRET,
            person_ref_secret=PERSON_REF_SECRET,
            consumer_group_prefix=f"referral-test-{uuid4().hex[:10]}",
            topic_prefix=topic_prefix,
            follow_up_poll_seconds=0.2,
        )


def consumed(settings: Settings, topic: str) -> str:
    """The name under which this test's service reads `topic` (one of CONSUMED)."""
    return settings.topic_prefix + topic


# A UUID's digits spelled as letters (0-9 as g-p): a random UUID now and then holds ten digits that pass the
# NHS number check, which the contract refuses inside a request id (identifiers._no_nhs_number).
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def new_request_id(sender: str = "gp-system:") -> str:
    """A sending system's id for a new request, unique and with no run of digits in it."""
    return sender + uuid4().hex.translate(_DIGITS_AS_LETTERS)


FAST_RETRY = RetryPolicy(max_attempts=2, backoff=Backoff(initial=0.05, maximum=0.2))


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(build_app(settings, retry=FAST_RETRY)) as http:
        yield http


@pytest.fixture
def token() -> Token:
    def headers(
        role: str = "link_worker", pcn: str = PCN, subject: str = "lw-1", lifetime: int = 600
    ) -> dict[str, str]:
        jwt = issue_token(JWT_SECRET, subject=subject, role=role, pcn=pcn, lifetime_seconds=lifetime)
        return {"Authorization": f"Bearer {jwt}"}

    return headers


class OneConnection:
    """A pool of one connection, never reset: a test counts what a use case sends on it, or sees the state a
    unit of work leaves it in."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        yield self.connection
