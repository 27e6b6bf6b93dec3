"""The pytest plugin fails a test, or a module, that leaves an aiokafka client running in the shared event loop.

The tests that leak run in a pytest of their own (pytester), so their leaks end with it."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)
pytestmark = pytest.mark.integration

LEAKY_TESTS = """
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def test_leaks_a_producer(kafka_bootstrap):
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()


async def test_leaks_a_consumer(kafka_bootstrap):
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap)
    await consumer.start()
    consumer.subscribe(["leak-check-topic"])


async def test_stops_what_it_starts(kafka_bootstrap):
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=f"leak-check-{uuid.uuid4().hex}")
    await producer.start()
    await consumer.start()
    await consumer.stop()
    await producer.stop()


@pytest.fixture(scope="module")
async def service(kafka_bootstrap):
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=f"leak-check-{uuid.uuid4().hex}")
    await consumer.start()
    yield consumer  # and never stopped


async def test_one_uses_the_modules_service(service):
    pass


async def test_another_uses_it(service):
    pass
"""


def test_leaked_clients_are_named_with_the_test_or_module_that_left_them(
    pytester: pytest.Pytester, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKWORK_TEST_KAFKA_BOOTSTRAP", kafka_bootstrap)
    pytester.makeini(
        """
        [pytest]
        asyncio_mode = auto
        asyncio_default_fixture_loop_scope = session
        asyncio_default_test_loop_scope = session
        """
    )
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # Every test passes; the two that leak and the module whose fixture leaks each error at teardown.
    result.assert_outcomes(passed=5, errors=3)
    result.stdout.fnmatch_lines_random(
        [
            "*ERROR at teardown of test_leaks_a_producer*",
            "test_leaky.py::test_leaks_a_producer left 2 aiokafka task(s) running*",
            "  AIOKafkaClient._md_synchronizer (client of *, metadata for all topics)",
            "  Sender._sender_routine (client of *",
            "*ERROR at teardown of test_leaks_a_consumer*",
            "test_leaky.py::test_leaks_a_consumer left 3 aiokafka task(s) running*",
            "  NoGroupCoordinator._reset_committed_routine (client of *, metadata for leak-check-topic)",
            "  Fetcher._fetch_requests_routine (client of *",
            # The module's service is not blamed on the tests that use it, but on the module when it ends.
            "*ERROR at teardown of test_another_uses_it*",
            "test_leaky.py left 3 aiokafka task(s) running*",
            "  GroupCoordinator._coordination_routine (client of *",
        ]
    )
    result.stdout.no_fnmatch_line("*test_stops_what_it_starts left*")
    result.stdout.no_fnmatch_line("*test_one_uses_the_modules_service left*")
