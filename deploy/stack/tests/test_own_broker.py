"""The session's own Kafka broker, shared by `kafka_bootstrap` and `secured_kafka`, when it cannot start."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)
pytestmark = pytest.mark.unit

# A broker whose start fails at once (as a missing JVM or a taken port would), for every test of the run.
BROKER_THAT_CANNOT_START = """
import pytest
from linkwork_stack.kafka import KafkaBroker


@pytest.fixture(autouse=True, scope="session")
def broker_that_cannot_start():
    def start(self, timeout=90.0):
        raise RuntimeError("the broker could not start")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KafkaBroker, "start", start)
        yield
"""

TESTS = """
def test_first_to_ask(own_kafka_broker):
    own_kafka_broker()


def test_the_secured_broker_later(secured_kafka):
    pass
"""


def test_a_broker_that_failed_to_start_is_not_handed_to_later_tests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(BROKER_THAT_CANNOT_START)
    pytester.makepyfile(test_brokers=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # Both fail with the start's error; before, the second was given the broker that never started.
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*RuntimeError: the broker could not start", "*RuntimeError: the session's own Kafka broker failed to start"]
    )
