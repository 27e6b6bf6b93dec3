"""The shared test helpers fail loudly and at once when they cannot succeed, instead of waiting out a timeout."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import InvalidTopicError
from linkwork_stack.testing import (
    TailDied,
    delete_topics,
    ensure_topics,
    eventually,
    own_topics,
    produce,
    tail,
    topic_prefix,
)

# Far longer than the reader takes to fail: a tail that waited its timeout out would end in "gave up ...",
# not in TailDied, so the test shows the failure surfaces at once without timing anything.
GENEROUS = 120.0


@pytest.mark.integration
async def test_a_tail_whose_reader_fails_says_so_at_once(kafka_bootstrap: str) -> None:
    async with own_topics(kafka_bootstrap, ["events"]) as prefix:
        topic = prefix + "events"
        async with tail(kafka_bootstrap, topic) as events:
            # A key that is not UTF-8 is a record the reader cannot decode: it fails on it.
            await produce(kafka_bootstrap, [(topic, b"\xff\xfe", b'{"type": "t", "data": {}}')])
            with pytest.raises(TailDied, match=f"the tail of {topic} died") as died:
                await events.arrived("a key that will never come", within=GENEROUS)
            assert isinstance(died.value.__cause__, UnicodeDecodeError)
            with pytest.raises(TailDied):  # polling it by hand fails the same way
                events.keyed("a key that will never come")


@pytest.mark.integration
async def test_stopping_a_dead_tail_raises_what_killed_it(kafka_bootstrap: str) -> None:
    async with own_topics(kafka_bootstrap, ["events"]) as prefix:
        topic = prefix + "events"
        with pytest.raises(TailDied) as died:
            async with tail(kafka_bootstrap, topic) as events:
                await produce(kafka_bootstrap, [(topic, b"\xff", b"{}")])
                # Nothing reads the tail here (that would raise): wait on the reader itself, so that only
                # leaving the block, which stops the tail, can say that the reader died.
                reader = events._task
                assert reader is not None
                await asyncio.wait([reader], timeout=GENEROUS)
        assert isinstance(died.value.__cause__, UnicodeDecodeError)


@pytest.mark.integration
async def test_a_topic_the_broker_refuses_to_create_is_an_error_at_once(kafka_bootstrap: str) -> None:
    # The admin client hands back the broker's refusal instead of raising it; it must not pass unnoticed.
    with pytest.raises(InvalidTopicError, match="could not create topic"):
        await ensure_topics(kafka_bootstrap, [f"{topic_prefix()}not a valid name"])


@pytest.mark.integration
async def test_clients_racing_to_create_the_same_topic_all_succeed(kafka_bootstrap: str) -> None:
    prefix = topic_prefix()
    try:
        await asyncio.gather(*(ensure_topics(kafka_bootstrap, [prefix + "raced"]) for _ in range(4)))
    finally:
        await delete_topics(kafka_bootstrap, prefix)


@pytest.mark.integration
async def test_own_topics_are_compacted_where_asked_and_gone_afterwards(kafka_bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        async with own_topics(kafka_bootstrap, ["changes", "events"], compacted=["changes"]) as prefix:
            described = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, prefix + topic) for topic in ("changes", "events")]
            )
            # Each resource is (error code, message, type, name, [(config name, value, ...), ...]).
            policies = {
                resource[3]: {entry[0]: entry[1] for entry in resource[4]}["cleanup.policy"]
                for response in described
                for resource in response.resources
            }
            assert policies == {prefix + "changes": "compact", prefix + "events": "delete"}

        async def none_left() -> bool:
            return not [topic for topic in await admin.list_topics() if topic.startswith(prefix)]

        # The broker deletes a topic in the background: it may still be listed for a moment.
        await eventually(none_left, within=60, what=f"the topics under {prefix} to be deleted")
    finally:
        await admin.close()


@pytest.mark.unit
async def test_eventually_giving_up_chains_the_last_error_it_tolerated() -> None:
    def refused() -> bool:
        raise ConnectionRefusedError("not listening yet")

    with pytest.raises(AssertionError, match="not listening yet") as gave_up:
        await eventually(refused, within=0, tolerate=(ConnectionError,))
    assert isinstance(gave_up.value.__cause__, ConnectionRefusedError)  # with its traceback
