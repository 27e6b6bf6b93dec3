"""The Kafka connection every client is built from: plaintext by default, SASL from LINKWORK_KAFKA_* settings."""

from __future__ import annotations

import pytest
from linkwork_runtime.kafka_connection import KafkaConnection, client_options
from linkwork_runtime.secrets import weak_secrets
from linkwork_runtime.settings import ServiceSettings

pytestmark = pytest.mark.unit


def test_a_bare_bootstrap_is_an_unauthenticated_broker() -> None:
    assert client_options("kafka:9092") == {"bootstrap_servers": "kafka:9092", "security_protocol": "PLAINTEXT"}


def test_settings_give_every_client_the_service_s_sasl_user(monkeypatch: pytest.MonkeyPatch) -> None:
    password = "p" * 43
    for name, value in {
        "BOOTSTRAP_SERVERS": "kafka:9093",
        "SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "SASL_USERNAME": "referral",
        "SASL_PASSWORD": password,
    }.items():
        monkeypatch.setenv(f"LINKWORK_KAFKA_{name}", value)
    kafka = ServiceSettings().kafka
    assert client_options(kafka) == {
        "bootstrap_servers": "kafka:9093",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "referral",
        "sasl_plain_password": password,
    }
    assert kafka.ssl_context() is None  # SASL over plaintext: no TLS context


def test_sasl_without_credentials_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="LINKWORK_KAFKA_SASL_USERNAME and LINKWORK_KAFKA_SASL_PASSWORD"):
        client_options(KafkaConnection("kafka:9093", "SASL_SSL"))


def test_a_short_kafka_password_is_a_weak_secret() -> None:
    settings = ServiceSettings(kafka_sasl_password="short", jwt_secret="j" * 40)  # type: ignore[arg-type]
    assert weak_secrets(settings) == ["LINKWORK_KAFKA_SASL_PASSWORD"]
