"""The `service-changed` topic must be log-compacted: create it so before anything is published to it.

If the broker created it first (auto-creation on the first publish uses the delete policy), the
latest snapshots could be lost with old segments; a topic found with another policy is reported.
"""

from __future__ import annotations

import contextlib
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError
from linkwork_contracts.topics import SERVICE_CHANGED
from linkwork_runtime.kafka_connection import Kafka, client_options

log = logging.getLogger(__name__)
COMPACTED = {"cleanup.policy": "compact", "min.compaction.lag.ms": "0"}


class CompactedTopic:
    def __init__(
        self, bootstrap: Kafka, *, topic: str = SERVICE_CHANGED, partitions: int = 4, replication: int = 1
    ) -> None:
        self.bootstrap, self.topic, self.partitions, self.replication = bootstrap, topic, partitions, replication

    async def start(self) -> None:
        admin = AIOKafkaAdminClient(**client_options(self.bootstrap))
        await admin.start()
        try:
            if self.topic not in set(await admin.list_topics()):
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(
                        [NewTopic(self.topic, self.partitions, self.replication, topic_configs=COMPACTED)]
                    )
            policy = await cleanup_policy(admin, self.topic)
            if policy != "compact":
                log.warning(
                    "topic %s has cleanup.policy=%s, not compact: consumers rebuilding the directory "
                    "from it may miss services",
                    self.topic,
                    policy,
                )
        finally:
            await admin.close()

    async def stop(self) -> None:
        return None


async def cleanup_policy(admin: AIOKafkaAdminClient, topic: str) -> str | None:
    described = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    for response in described:
        for resource in response.resources:
            for entry in resource[4]:
                if entry[0] == "cleanup.policy":
                    return str(entry[1])
    return None
