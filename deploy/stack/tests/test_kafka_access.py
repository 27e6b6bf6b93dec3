"""Kafka authentication and ACLs (issue 16 point 6): the grants derived from the catalogue, and a real broker
with SASL/SCRAM and KRaft's StandardAuthorizer refusing whoever has no credentials, the wrong password, or no
ACL for the topic, while each service's user does its own work."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from linkwork_contracts.topics import (
    ACTIVITY_REFERRED,
    GP_RECORD_UPDATE,
    PROVIDER_SYSTEMS,
    REFERRAL_CREATED,
    REFERRAL_REQUESTED,
    TOPICS,
    dlq,
)
from linkwork_runtime.kafka_connection import KafkaConnection, client_options
from linkwork_runtime.messaging.producer import OutgoingRecord, Publisher
from linkwork_stack import kafka_access
from linkwork_stack.kafka import KafkaBroker
from linkwork_stack.kafka_access import INTEGRATION, may
from linkwork_stack.kafka_leaks import running_kafka_clients

SERVICES = ("directory", "matching", "notifications", "outcomes", "referral")


@pytest.mark.unit
def test_one_user_per_service_and_one_for_each_kind_of_outside_system() -> None:
    # Providers' systems are not GP systems: they get their own user, so neither reads the other's topics.
    assert kafka_access.users() == [*sorted([*SERVICES, PROVIDER_SYSTEMS]), INTEGRATION]


@pytest.mark.unit
def test_only_providers_systems_read_activity_referrals() -> None:
    assert [user for user in kafka_access.users() if may(user, "Read", ACTIVITY_REFERRED)] == [PROVIDER_SYSTEMS]


@pytest.mark.unit
def test_only_referral_reads_referral_requested_and_its_dead_letters() -> None:
    for topic in (REFERRAL_REQUESTED, dlq(REFERRAL_REQUESTED)):
        assert [user for user in kafka_access.users() if may(user, "Read", topic)] == ["referral"]
    assert [user for user in kafka_access.users() if may(user, "Write", REFERRAL_REQUESTED)] == [INTEGRATION]


@pytest.mark.unit
def test_only_integration_reads_the_gp_record_update() -> None:
    for topic in (GP_RECORD_UPDATE, dlq(GP_RECORD_UPDATE)):
        assert [user for user in kafka_access.users() if may(user, "Read", topic)] == [INTEGRATION]


@pytest.mark.unit
def test_each_user_writes_only_what_it_produces_and_the_dead_letters_of_what_it_consumes() -> None:
    for user in kafka_access.users():
        own = {spec.name for spec in TOPICS.values() if kafka_access.user_of(spec.producer) == user}
        consumed = {spec.dlq for spec in TOPICS.values() if user in map(kafka_access.user_of, spec.consumers)}
        every_topic = {name for spec in TOPICS.values() for name in (spec.name, spec.dlq)}
        assert {topic for topic in every_topic if may(user, "Write", topic)} == own | consumed, user


@pytest.mark.unit
def test_strimzi_users_are_generated_from_the_same_grants() -> None:
    assert kafka_access.main(["--check"]) == 0, "run: .venv/bin/python -m linkwork_stack.kafka_access"


def _unique(topic: str) -> str:
    # Catalogue names carry the ACLs, so tests use them; fresh records are told apart by their value.
    return f"{topic}:{uuid.uuid4().hex}"


async def _write(kafka: KafkaConnection | str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(**client_options(kafka), acks="all", request_timeout_ms=10_000)
    try:
        # start() inside the try: a refused start leaves a live client that must be closed (see _read).
        await producer.start()
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def _read(kafka: KafkaConnection | str, topic: str, group: str) -> list[bytes]:
    """Everything in `topic`, read as a member of `group` (offsets committed, as a service's consumer does)."""
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(kafka),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        request_timeout_ms=10_000,
    )
    try:
        # start() inside the try: when the broker refuses the topic, start() raises after its client has
        # connected, and that client would otherwise live on in the session's event loop, asking for the
        # topic's metadata every few minutes and logging "Topic ... is not authorized for this client" into
        # whichever later test is running (a red herring in the referral tests' failures).
        await consumer.start()
        batches = await consumer.getmany(timeout_ms=5_000)
        await consumer.commit()
    finally:
        await consumer.stop()
    return [record.value for records in batches.values() for record in records if record.value is not None]


async def test_no_credentials_are_refused_reading_and_writing(secured_kafka: KafkaBroker) -> None:
    plain = secured_kafka.bootstrap  # the SASL listener, spoken to without SASL: no connection at all
    with pytest.raises(KafkaConnectionError):
        await _write(plain, REFERRAL_CREATED, b"anonymous")
    with pytest.raises(KafkaConnectionError):
        await _read(plain, REFERRAL_CREATED, "matching-anonymous")
    await _write(secured_kafka.connection("referral"), REFERRAL_CREATED, b"the broker is up")


async def test_a_wrong_password_is_refused_reading_and_writing(secured_kafka: KafkaBroker) -> None:
    impostor = secured_kafka.connection("referral", password="not-the-password-of-referral-at-all")
    with pytest.raises(KafkaConnectionError):
        await _write(impostor, REFERRAL_CREATED, b"impostor")
    with pytest.raises(KafkaConnectionError):
        await _read(impostor, REFERRAL_REQUESTED, "referral-impostor")
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in secured_kafka.log_file.read_text()
    await _write(secured_kafka.connection("referral"), REFERRAL_CREATED, b"the right password works")


async def test_a_user_without_the_acl_is_refused_reading_and_writing(secured_kafka: KafkaBroker) -> None:
    await _write(secured_kafka.connection(INTEGRATION), REFERRAL_REQUESTED, b"a request")
    clients_before = running_kafka_clients()
    # matching is a real user, but referral-requested (identifiable) is not its topic to read...
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(secured_kafka.connection("matching"), REFERRAL_REQUESTED, "matching-snooping")
    # ...nor gp-record-update, which only the GP integration reads, nor referral's topics to write.
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(secured_kafka.connection("referral"), GP_RECORD_UPDATE, "referral-snooping")
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(secured_kafka.connection("matching"), REFERRAL_CREATED, b"forged")
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(secured_kafka.connection("outcomes"), GP_RECORD_UPDATE, b"forged")
    # A refused client is closed, not left to haunt later tests of the session with authorization errors.
    assert running_kafka_clients() - clients_before == set()


async def test_each_service_user_does_its_own_work(secured_kafka: KafkaBroker) -> None:
    request, update, created = (_unique(t).encode() for t in (REFERRAL_REQUESTED, GP_RECORD_UPDATE, REFERRAL_CREATED))
    await _write(secured_kafka.connection(INTEGRATION), REFERRAL_REQUESTED, request)
    assert request in await _read(secured_kafka.connection("referral"), REFERRAL_REQUESTED, "referral-requests")
    # The runtime's own publisher (outbox relay, dead letters) with the service's credentials.
    referral = Publisher(secured_kafka.connection("referral"), "referral-relay")
    try:
        outcomes = await referral.publish(
            [
                OutgoingRecord(GP_RECORD_UPDATE, update),
                OutgoingRecord(REFERRAL_CREATED, created),
                OutgoingRecord(dlq(REFERRAL_REQUESTED), request),
            ]
        )
    finally:
        await referral.stop()
    assert outcomes == [None, None, None]
    assert update in await _read(secured_kafka.connection(INTEGRATION), GP_RECORD_UPDATE, "integration-gp")
    assert created in await _read(secured_kafka.connection("matching"), REFERRAL_CREATED, "matching-events")
    assert request in await _read(secured_kafka.connection("referral"), dlq(REFERRAL_REQUESTED), "referral-dlq")
