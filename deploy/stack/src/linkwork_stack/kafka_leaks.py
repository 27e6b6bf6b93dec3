"""Recognising the aiokafka clients, consumers and producers still running in an event loop.

Every test shares one session-wide event loop (pyproject: asyncio loop scope session), so a client a test
never stopped lives on: it refreshes metadata and logs its errors into whichever later test is running.
The pytest plugin compares these tasks before and after each test (and module) to name the one that leaked.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aiokafka
from aiokafka.client import AIOKafkaClient

AIOKAFKA_SOURCES = os.path.dirname(aiokafka.__file__) + os.sep

# The tasks a client, consumer or producer runs from its start() to its stop() (aiokafka 0.14): one still
# alive is one not stopped. A live client's connection readers and single requests come and go on their own,
# so they are left out: a long-lived client that reconnects during a test is not the test's leak.
LIFETIME_ROUTINES = frozenset(
    {
        "AIOKafkaClient._md_synchronizer",  # every client: a consumer's, a producer's, an admin's
        "Fetcher._fetch_requests_routine",  # a consumer
        "GroupCoordinator._coordination_routine",  # a consumer in a group
        "NoGroupCoordinator._reset_committed_routine",  # a consumer without one
        "Sender._sender_routine",  # a producer
    }
)


def _routine(task: asyncio.Task[Any]) -> str | None:
    """The qualified name of the aiokafka routine `task` runs, if it is one."""
    code = getattr(task.get_coro(), "cr_code", None)
    if code is None or not code.co_filename.startswith(AIOKAFKA_SOURCES):
        return None
    return str(code.co_qualname)


def running_kafka_clients() -> set[asyncio.Task[Any]]:
    """The lifetime tasks of the aiokafka clients running in this event loop (not those already told to stop)."""
    return {
        task
        for task in asyncio.all_tasks()
        if not task.done() and not task.cancelling() and _routine(task) in LIFETIME_ROUTINES
    }


def describe(task: asyncio.Task[Any]) -> str:
    """The routine and, where it can be found, its client's broker and topics: enough to find who started it."""
    coroutine = task.get_coro()
    frame = getattr(coroutine, "cr_frame", None)
    owner = frame.f_locals.get("self") if frame is not None else None
    client = owner if isinstance(owner, AIOKafkaClient) else getattr(owner, "_client", getattr(owner, "client", None))
    if not isinstance(client, AIOKafkaClient):
        return f"{_routine(task)}"
    topics = ", ".join(sorted(client._topics)) or "all topics"
    return f"{_routine(task)} (client of {client._bootstrap_servers}, metadata for {topics})"
