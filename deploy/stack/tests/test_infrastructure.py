"""The real broker and database the plugin provides actually work."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

pytestmark = pytest.mark.integration


async def test_produce_and_consume_on_real_broker(kafka_bootstrap: str, topic_name: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic_name, b"hello", key=b"k1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic_name, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", group_id=topic_name
    )
    await consumer.start()
    try:
        message = await consumer.getone()
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"k1", b"hello")


async def test_real_database_accepts_ddl_and_queries(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL)")
        await connection.execute("INSERT INTO t VALUES (1, 'walking group')")
        assert await connection.fetchval("SELECT name FROM t WHERE id = 1") == "walking group"
        assert (await connection.fetchval("SHOW server_version")).startswith("18")
    finally:
        await connection.close()
