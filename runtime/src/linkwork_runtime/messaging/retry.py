"""Which failures are worth retrying, and how long to wait between attempts.

Two kinds of failure are told apart:
- transient: the database or broker is unavailable, a timeout, a serialization failure or deadlock.
  Retried without limit (the message is not consumed) with exponential backoff;
- permanent: a `PermanentError` from a handler (the message can never be applied, e.g. a request the
  workflow refuses): dead-lettered after the first attempt, without retries;
- anything else raised by a handler: retried `max_attempts` times, then dead-lettered.
"""

from __future__ import annotations

import asyncio
import errno
import random
import socket
from dataclasses import dataclass, field

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError

# SQLSTATE classes meaning "try again later": connection exceptions (08), transaction rollback such as
# serialization failure and deadlock (40), insufficient resources (53), and the server shutting down
# or starting up (57P01-57P03).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53")
_TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "55P03"})


# OSErrors that mean "the network or the other side is away", not "this handler has a bug". A handler that
# opens a missing file or is refused permission fails the same way every time: it must reach the DLQ after
# its bounded retries instead of stalling its partition for ever as an "outage".
_TRANSIENT_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.EHOSTDOWN,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ENETRESET,
        errno.EAGAIN,
    }
)


def _transient_os_error(error: OSError) -> bool:
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True
    return error.errno in _TRANSIENT_ERRNOS


class TransientError(Exception):
    """Raise from a handler when it needs to be retried later and the attempt should not count."""


class PermanentError(Exception):
    """Raise (or subclass) from a handler when no retry can succeed: dead-lettered after one attempt,
    and offered to the consumer's refusal hook (`Handlers.on_refused`) so the sender can be told."""


def is_permanent(error: BaseException) -> bool:
    return isinstance(error, PermanentError)


def is_transient(error: BaseException) -> bool:
    if isinstance(error, TransientError | TimeoutError | KafkaConnectionError):
        return True
    if isinstance(error, OSError):
        return _transient_os_error(error)
    if isinstance(error, KafkaTimeoutError):
        return True
    if isinstance(error, KafkaError):
        return bool(getattr(error, "retriable", False))
    if isinstance(error, asyncpg.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return state.startswith(_TRANSIENT_SQLSTATE_CLASSES) or state in _TRANSIENT_SQLSTATES
    if isinstance(error, asyncpg.InterfaceError):
        # asyncpg reports a dropped connection as InterfaceError("... connection is closed"); its other
        # InterfaceErrors are programming errors that a retry would only repeat.
        text = str(error)
        return "closed" in text or "closing" in text
    return False


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with proportional jitter, so replicas retrying together spread out."""

    initial: float = 0.2
    maximum: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        """Delay before retry number `attempt` (1 for the first retry)."""
        base = min(self.maximum, self.initial * self.multiplier ** max(0, attempt - 1))
        return base * (1 + random.uniform(-self.jitter, self.jitter))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # handler attempts before a message is dead-lettered
    backoff: Backoff = field(default_factory=Backoff)


async def pause(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep unless `stop` is set first; return whether we may carry on."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return True
    return False
