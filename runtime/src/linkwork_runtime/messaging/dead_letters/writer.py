"""Sending a consumer's failed messages to their dead-letter topic."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka.structs import ConsumerRecord

from linkwork_runtime.messaging.dead_letters import DeadLetter, Failure, describe, now, to_record
from linkwork_runtime.messaging.metrics import MessagingMetrics
from linkwork_runtime.messaging.producer import Publisher
from linkwork_runtime.messaging.retry import Backoff, pause

log = logging.getLogger(__name__)

FailedMessage = tuple[ConsumerRecord[bytes, bytes], BaseException, int]  # record, error, attempts


class DeadLetterWriter:
    def __init__(self, publisher: Publisher, consumer: str, metrics: MessagingMetrics, backoff: Backoff) -> None:
        self._publisher = publisher
        self._consumer = consumer
        self._metrics = metrics
        self._backoff = backoff

    async def write(self, failures: Sequence[FailedMessage], stopping: asyncio.Event) -> bool:
        """Publish to the DLQ, retrying until acknowledged; False if `stopping` came first.

        The caller moves past these messages only on True, so a dead letter is never lost; a crash
        after publishing and before the offset commit writes it twice, which is harmless.
        """
        letters = [self._letter(record, error, attempts) for record, error, attempts in failures]
        pending = [to_record(letter) for letter in letters]
        outages = 0
        while pending:
            outcomes = await self._publisher.publish(pending)
            pending = [record for record, outcome in zip(pending, outcomes, strict=True) if outcome]
            if pending:
                outages += 1
                log.warning("%s: dead-letter topic unavailable, retry %d", self._consumer, outages)
                if not await pause(stopping, self._backoff.delay(outages)):
                    return False
        for letter in letters:
            self._metrics.dead_lettered.labels(self._consumer, letter.failure.topic, letter.failure.error_type).inc()
        return True

    def _letter(self, record: ConsumerRecord[bytes, bytes], error: BaseException, attempts: int) -> DeadLetter:
        error_type, message = describe(error)
        failure = Failure(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            consumer=self._consumer,
            error_type=error_type,
            error_message=message,
            attempts=attempts,
            time=now(),
        )
        return DeadLetter(failure, record.key, record.value, list(record.headers))
