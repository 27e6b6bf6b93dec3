"""The Publisher behind the outbox relay and every consumer's dead letters, against the real Kafka."""

from __future__ import annotations

import asyncio

import pytest
from linkwork_runtime.messaging.producer import OutgoingRecord, Publisher
from linkwork_stack.kafka_leaks import running_kafka_clients
from linkwork_stack.testing import own_topics

pytestmark = pytest.mark.integration


async def test_callers_publishing_at_once_share_one_producer_which_stop_closes(kafka_bootstrap: str) -> None:
    # Several partitions of one consumer dead-letter at the same moment: each call must not start a producer
    # of its own, of which stop() would close only the last, leaving the others running in the event loop.
    async with own_topics(kafka_bootstrap, ["dead-letters"]) as prefix:
        before = running_kafka_clients()
        publisher = Publisher(kafka_bootstrap, "test-publisher")
        try:
            records = [[OutgoingRecord(prefix + "dead-letters", b"{}", key=str(n).encode())] for n in range(4)]
            assert await asyncio.gather(*(publisher.publish(batch) for batch in records)) == [[None]] * 4
        finally:
            await publisher.stop()
        assert running_kafka_clients() - before == set()
