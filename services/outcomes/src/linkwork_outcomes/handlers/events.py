"""Event handlers: every consumed event becomes facts, stored in the consumer's transaction.

Handlers do nothing else: figures are derived later by the projector, so a handler's effect is
the same whatever order events arrive in, and a repeated event stores nothing new (on top of the
runtime's inbox, which already skips event ids seen before).
"""

from __future__ import annotations

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import Event
from linkwork_runtime.messaging import PrefixedHandlers

from linkwork_outcomes.adapters import fact_store, provider_store
from linkwork_outcomes.adapters.event_facts import CONSUMED, facts_of
from linkwork_outcomes.adapters.provider_store import PROVIDER_LOOP


async def store_facts(event: Event, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    await fact_store.store(connection, facts_of(event, envelope.time))


def outcome_handlers(topic_prefix: str = "") -> PrefixedHandlers:
    handlers = PrefixedHandlers(topic_prefix)
    for event_type in CONSUMED:
        handlers.add(event_type, store_facts)
    # The provider loop (issue 17), stored in tables of its own: answers, sessions, completions.
    for event_type in PROVIDER_LOOP:
        handlers.add(event_type, store_provider_loop)
    return handlers


async def store_provider_loop(event: Event, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    await provider_store.store(connection, event)
