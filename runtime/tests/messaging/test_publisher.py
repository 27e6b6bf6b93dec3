"""The publisher against the real Kafka broker."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from linkwork_runtime.messaging import producer
from linkwork_runtime.messaging.producer import OutgoingRecord, Publisher

pytestmark = pytest.mark.integration


async def test_concurrent_first_publishes_share_one_producer_and_stop_closes_it(
    kafka_bootstrap: str, topic_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The partition workers of one consumer share its dead-letter publisher and often fail together (one bad
    # batch of requests): each starting a producer of its own left all but one running, never stopped.
    created: list[AIOKafkaProducer] = []

    def recording_create_producer(*args: Any, **kwargs: Any) -> AIOKafkaProducer:
        created.append(real_create_producer(*args, **kwargs))
        return created[-1]

    real_create_producer = producer.create_producer
    monkeypatch.setattr(producer, "create_producer", recording_create_producer)
    publisher = Publisher(kafka_bootstrap, "test-publisher")
    try:
        outcomes = await asyncio.gather(
            *(publisher.publish([OutgoingRecord(topic_name, b"letter", key=str(n).encode())]) for n in range(3))
        )
    finally:
        await publisher.stop()
    assert outcomes == [[None]] * 3
    assert len(created) == 1
    assert created[0]._closed
