"""Talking to the real broker in tests: publish events; topics and tails come from linkwork_stack.testing."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from linkwork_contracts.envelope import CONTENT_TYPE, CloudEvent, encode, wrap
from linkwork_contracts.events import Event
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here
from linkwork_stack.testing import tail as tail

SOURCE = "urn:linkwork:matching-tests"


async def publish(bootstrap: str, topic: str, items: Iterable[Event | CloudEvent]) -> None:
    """Publish events (wrapped in a new envelope) or ready envelopes (as they are), in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for item in items:
            envelope = item if isinstance(item, CloudEvent) else wrap(item, source=SOURCE)
            await producer.send_and_wait(
                topic,
                encode(envelope),
                key=str(envelope.subject).encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
    finally:
        await producer.stop()
