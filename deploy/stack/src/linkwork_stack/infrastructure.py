"""Kafka and PostgreSQL together: the infrastructure every service and test needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from linkwork_stack.kafka import KafkaBroker, provision_jars
from linkwork_stack.postgres import PostgresServer

SERVICE_DATABASES = ("referral", "directory", "matching", "outcomes")


@dataclass
class Infrastructure:
    kafka: KafkaBroker
    postgres: PostgresServer

    @classmethod
    def under(
        cls, data: Path, kafka_port: int, controller_port: int, postgres_port: int, *, secured: bool = False
    ) -> Infrastructure:
        """`secured`: Kafka with SASL users and ACLs (linkwork_stack.kafka_access), as `linkwork-stack run` has."""
        return cls(
            KafkaBroker(data / "kafka", port=kafka_port, controller_port=controller_port, secured=secured),
            PostgresServer(data / "postgres", port=postgres_port),
        )

    def start(self) -> None:
        provision_jars()
        self.postgres.start()
        for name in SERVICE_DATABASES:
            self.postgres.create_database(name)
        self.kafka.start()

    def stop(self) -> None:
        self.kafka.stop()
        self.postgres.stop()
