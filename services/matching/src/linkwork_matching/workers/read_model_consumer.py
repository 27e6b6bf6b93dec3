"""Consumes the compacted service-changed topic into the read model.

Its consumer group is named after the read model's generation: a new (empty) database has a new
generation, hence a group with no offsets, which reads the topic from its beginning. Start-up
waits until the group has caught up with the topic as it was, so the first referrals are not
matched against half a directory.

Start-up also brings this replica's in-memory index along (service_layer/sync_index.py): loaded from the
tables first (by the index-sync worker, which app.py starts before this), its rounds paused while the topic
replays, and caught up with the tables once the group has.
"""

from __future__ import annotations

import gc
import logging

import asyncpg
from aiokafka.errors import KafkaError
from linkwork_contracts import topics
from linkwork_contracts.events import ServiceChangedV1, ServiceChangedV2, ServiceChangedV3
from linkwork_runtime import messaging
from linkwork_runtime.kafka_connection import Kafka
from linkwork_runtime.messaging import PrefixedHandlers
from prometheus_client import Gauge

from linkwork_matching.adapters import read_model
from linkwork_matching.adapters.kafka_progress import wait_until_caught_up
from linkwork_matching.handlers.services import ServiceChangedHandler
from linkwork_matching.service_layer.sync_index import IndexSync
from linkwork_matching.workers.read_model_replay import ReadModelReplay, ReplayResult

log = logging.getLogger(__name__)


class ReadModelConsumer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        bootstrap: Kafka,
        sync: IndexSync,
        on_service_changed: ServiceChangedHandler,
        *,
        group_prefix: str,
        topic_prefix: str,
        catch_up_timeout: float,
        metrics: messaging.MessagingMetrics,
        retry: messaging.RetryPolicy | None = None,
    ) -> None:
        self._pool = pool
        self._bootstrap = bootstrap
        self._sync = sync
        self._group_prefix = group_prefix
        self._topic = f"{topic_prefix}{topics.SERVICE_CHANGED}"
        self._handlers = PrefixedHandlers(topic_prefix)
        self._handlers.add(ServiceChangedV1, on_service_changed)
        self._handlers.add(ServiceChangedV2, on_service_changed)  # v2 is a v1 with areas and eligibility
        self._handlers.add(ServiceChangedV3, on_service_changed)  # v3 is a v2 with the waiting list (issue 17)
        self._catch_up_timeout = catch_up_timeout
        self._metrics = metrics
        self._retry = retry
        self._runner: messaging.ConsumerRunner | None = None
        self.group: str | None = None
        self.replayed: ReplayResult | None = None
        self._replay_records = Gauge(
            "matching_read_model_replay_records",
            "Records the last start-up replay read from service-changed",
            namespace="linkwork",
            registry=metrics.registry,
        )
        self._replay_seconds = Gauge(
            "matching_read_model_replay_seconds",
            "Seconds the last start-up replay took, from its first fetch to its last offset commit",
            namespace="linkwork",
            registry=metrics.registry,
        )
        self._replay_cpu_seconds = Gauge(
            "matching_read_model_replay_cpu_seconds",
            "CPU seconds this process spent over the last start-up replay",
            namespace="linkwork",
            registry=metrics.registry,
        )

    async def start(self) -> None:
        generation = await read_model.generation(self._pool)
        self.group = f"{self._group_prefix}-read-model-{generation.hex[:12]}"
        self._runner = messaging.ConsumerRunner(
            self.group, self._pool, self._bootstrap, self._handlers, metrics=self._metrics, retry=self._retry
        )
        replay = ReadModelReplay(
            self._pool, self._bootstrap, self._handlers, group=self.group, topic=self._topic, metrics=self._metrics
        )
        async with self._sync.paused():
            self.replayed = await replay.run()
        self._replay_records.set(self.replayed.records)
        self._replay_seconds.set(self.replayed.seconds)
        self._replay_cpu_seconds.set(self.replayed.cpu_seconds)
        log.info(
            "read model replay %s",
            "done" if self.replayed.completed else "ended early",
            extra={
                "group": self.group,
                "records": self.replayed.records,
                "seconds": round(self.replayed.seconds, 3),
                "dead_lettered": self.replayed.dead_lettered,
            },
        )
        # The runner takes over from the replay's committed offsets (or redoes what it could not do).
        await self._runner.start()
        try:
            caught_up = await wait_until_caught_up(
                self._bootstrap, self.group, self._topic, patience=self._catch_up_timeout
            )
        except (KafkaError, OSError) as error:
            # Serving with a partial directory beats not serving: the runner goes on catching up.
            log.warning("could not check the read model's progress: %r", error)
            caught_up = False
        applied = await self._sync.catch_up()
        # The directory is now millions of long-lived objects: keep them out of the cyclic
        # collector's full passes, which would otherwise stall requests for tens of milliseconds.
        gc.freeze()
        log.info(
            "read model %s",
            "caught up" if caught_up else "still catching up",
            extra={"group": self.group, "changes": applied},
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.stop()
            self._runner = None
