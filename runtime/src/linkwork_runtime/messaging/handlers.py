"""Which function applies which event type, for one consumer.

    handlers = Handlers()

    @handlers.on(ReferralCreated)
    async def remember_referral(event: ReferralCreated, envelope: CloudEvent, connection: Connection) -> None:
        await connection.execute("INSERT INTO referrals ...", ...)

A consumer may also register a refusal hook (`handlers.on_refused(hook)`), called for every message it can
never apply: one that does not decode (poison) and one whose handler raised a `PermanentError`. The hook gets
the record, the error and a connection inside a transaction, so that it can record an event telling the
sender (through `outbox.add`); the message is dead-lettered as well.

The connection is inside the transaction that also records the event in the inbox; write effects (and any
events they cause, through `outbox.add`) with it and nothing else, so that they commit together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import Event

E = TypeVar("E", bound=Event)
Handler = Callable[[Any, CloudEvent, asyncpg.Connection], Awaitable[None]]
TypedHandler = Callable[[E, CloudEvent, asyncpg.Connection], Awaitable[None]]
RefusalHook = Callable[[ConsumerRecord[bytes, bytes], BaseException, asyncpg.Connection], Awaitable[None]]

ConsumerTransaction = Any
"""The transaction a consumer runs a handler in, as the service layer sees it: an `asyncpg.Connection` inside
the transaction that also records the event in the inbox, in production. It is opaque to the service layer on
purpose: a handler only passes it on to its unit of work's `joining` (an adapter, which knows it is a
connection), so that use cases never touch the database, and the unit tests can hand over a fake transaction."""


class Handlers:
    def __init__(self) -> None:
        self._by_type: dict[type[Event], Handler] = {}
        self.refused: RefusalHook | None = None

    def on_refused(self, hook: RefusalHook) -> None:
        """Call `hook` for each message this consumer can never apply (see the module's docstring)."""
        self.refused = hook

    def add(self, event_type: type[E], handler: TypedHandler[E]) -> None:
        if event_type in self._by_type:
            raise ValueError(f"{event_type.__name__} already has a handler")
        self._by_type[event_type] = handler

    def on(self, event_type: type[E]) -> Callable[[TypedHandler[E]], TypedHandler[E]]:
        def register(handler: TypedHandler[E]) -> TypedHandler[E]:
            self.add(event_type, handler)
            return handler

        return register

    def find(self, event: Event) -> Handler | None:
        return self._by_type.get(type(event))

    def types(self) -> set[str]:
        return {event_type.TYPE for event_type in self._by_type}

    def topics(self) -> set[str]:
        return {event_type.TOPIC for event_type in self._by_type}

    def __bool__(self) -> bool:
        return bool(self._by_type)


class PrefixedHandlers(Handlers):
    """Handlers reading `<prefix><topic>` for each event type, so tests and side-by-side deployments on one
    broker keep their topics apart. Records are matched to handlers by CloudEvents type, never by topic, so the
    prefix changes nothing else; the empty prefix reads the usual topics."""

    def __init__(self, prefix: str = "") -> None:
        super().__init__()
        self.prefix = prefix

    def topics(self) -> set[str]:
        return {self.prefix + topic for topic in super().topics()}
