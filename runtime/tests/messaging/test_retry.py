from __future__ import annotations

import asyncio

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, MessageSizeTooLargeError
from linkwork_runtime.messaging.retry import Backoff, TransientError, is_transient, pause

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "error",
    [
        TransientError("try later"),
        TimeoutError(),
        ConnectionRefusedError(),
        ConnectionResetError(),
        OSError(104, "Connection reset by peer"),
        OSError(113, "No route to host"),
        KafkaConnectionError(),
        KafkaTimeoutError(),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.SerializationError("could not serialize access"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        asyncpg.InterfaceError("cannot perform operation: connection is closed"),
    ],
)
def test_outages_and_contention_are_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad data"),
        KeyError("x"),
        # Handler bugs that happen to be OSErrors: retried a bounded number of times, then dead-lettered.
        FileNotFoundError(2, "No such file or directory"),
        PermissionError(13, "Permission denied"),
        IsADirectoryError(21, "Is a directory"),
        OSError("something else"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.UndefinedTableError("relation does not exist"),
        asyncpg.InterfaceError("the number of query arguments cannot exceed 32767"),
        MessageSizeTooLargeError(),
    ],
)
def test_bugs_and_bad_data_are_not_transient(error: BaseException) -> None:
    assert not is_transient(error)


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    backoff = Backoff(initial=0.1, maximum=1.0, multiplier=2.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(1, 7)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])


def test_jitter_stays_within_its_band() -> None:
    backoff = Backoff(initial=1.0, maximum=10.0, jitter=0.25)
    delays = [backoff.delay(1) for _ in range(200)]
    assert all(0.75 <= d <= 1.25 for d in delays)
    assert len(set(delays)) > 1


async def test_pause_returns_early_and_says_stop_when_stopping() -> None:
    stop = asyncio.Event()
    assert await pause(stop, 0.01) is True
    stop.set()
    assert await pause(stop, 3600) is False
