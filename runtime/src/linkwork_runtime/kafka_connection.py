"""Where Kafka is and who we are to it: one value every producer, consumer and admin client is built from.

A broker with authentication (SASL/SCRAM, optionally over TLS) knows each service as its own user and lets it
read and write only its own topics (issue 16, docs/decisions/16-kafka-auth.md). So the credentials must
reach every client a service opens, not just the main one: functions that talk to Kafka take a `Kafka`
(a `KafkaConnection`, or a bare bootstrap string meaning an unauthenticated PLAINTEXT broker, as tests and
the shared development broker use) and build their client's options with `client_options`.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import SecretStr

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


@dataclass(frozen=True)
class KafkaConnection:
    bootstrap: str  # comma-separated host:port
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: SecretStr | None = None
    ssl_cafile: str | None = None  # the cluster's CA certificate (PEM); None: the system's trust store

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def ssl_context(self) -> ssl.SSLContext | None:
        return ssl.create_default_context(cafile=self.ssl_cafile) if self.uses_tls else None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol,
        }
        if self.uses_tls:
            options["ssl_context"] = self.ssl_context()
        if self.uses_sasl:
            if not self.username or self.password is None:
                # Said at start-up, by name: a SASL listener would only answer "authentication failed".
                raise ValueError(
                    f"LINKWORK_KAFKA_SASL_USERNAME and LINKWORK_KAFKA_SASL_PASSWORD are required with "
                    f"LINKWORK_KAFKA_SECURITY_PROTOCOL={self.security_protocol}"
                )
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password.get_secret_value(),
            }
        return options


Kafka = KafkaConnection | str


def connection(kafka: Kafka) -> KafkaConnection:
    """A bare bootstrap string is an unauthenticated PLAINTEXT broker."""
    return kafka if isinstance(kafka, KafkaConnection) else KafkaConnection(kafka)


def client_options(kafka: Kafka) -> dict[str, Any]:
    return connection(kafka).client_options()
