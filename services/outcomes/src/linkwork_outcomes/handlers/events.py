"""Event handlers: every consumed event becomes facts, stored in the consumer's transaction.

Handlers do nothing else: figures are derived later by the projector, so a handler's effect is
the same whatever order events arrive in, and a repeated event stores nothing new (on top of the
runtime's inbox, which already skips event ids seen before).
"""

from __future__ import annotations

from collections.abc import Iterable

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import Event
from linkwork_runtime.messaging import PrefixedHandlers

from linkwork_outcomes.service_layer.ports import ConsumerTransaction, FactStore


class FactHandler:
    def __init__(self, facts: FactStore) -> None:
        self._facts = facts

    async def __call__(self, event: Event, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        # Within the consumer's inbox transaction, so the facts commit with the event's receipt.
        await self._facts.joining(transaction).record(event, envelope.time)


def outcome_handlers(facts: FactStore, events: Iterable[type[Event]], topic_prefix: str = "") -> PrefixedHandlers:
    """One handler for each of `events` (the referral events and the provider loop's, given in app.py), keeping
    their facts through `facts`."""
    handlers = PrefixedHandlers(topic_prefix)
    handler = FactHandler(facts)
    for event_type in events:
        handlers.add(event_type, handler)
    return handlers
