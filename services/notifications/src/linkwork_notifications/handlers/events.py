"""Event handlers: the consumer's entry points to the use cases (service_layer/intents.py) that turn each
consumed event into message intents and tasks, recorded in the consumer's transaction."""

from __future__ import annotations

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import (
    ActivityReferralRespondedV1,
    FollowUpDueV1,
    FollowUpRecordedV1,
    ReferralCreatedV1,
)
from linkwork_runtime.messaging import PrefixedHandlers

from linkwork_notifications.service_layer import intents
from linkwork_notifications.service_layer.ports import ConsumerTransaction, MessageStore


class EventHandlers:
    """Each runs within the consumer's inbox transaction, so what it records commits with the event's receipt."""

    def __init__(self, messages: MessageStore) -> None:
        self._messages = messages

    async def referral_created(
        self, event: ReferralCreatedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        await intents.announce_first_contact(self._messages.joining(transaction), event, envelope)

    async def follow_up_due(self, event: FollowUpDueV1, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        await intents.remind_of_follow_up(self._messages.joining(transaction), event, envelope)

    async def follow_up_recorded(
        self, event: FollowUpRecordedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        await intents.record_follow_up(self._messages.joining(transaction), event)

    async def activity_referral_responded(
        self, event: ActivityReferralRespondedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        await intents.ask_for_another_activity(self._messages.joining(transaction), event)


def notification_handlers(messages: MessageStore, topic_prefix: str = "") -> PrefixedHandlers:
    """The handlers of every event the service consumes, each joining the consumer's transaction through
    `messages` (given in app.py)."""
    on = EventHandlers(messages)
    handlers = PrefixedHandlers(topic_prefix)
    handlers.add(ReferralCreatedV1, on.referral_created)
    handlers.add(FollowUpDueV1, on.follow_up_due)
    handlers.add(FollowUpRecordedV1, on.follow_up_recorded)
    handlers.add(ActivityReferralRespondedV1, on.activity_referral_responded)
    return handlers
