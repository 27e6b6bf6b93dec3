"""Event handlers: each consumed event becomes message intents and tasks, in the consumer's transaction.

Nothing is sent here: the dispatcher sends after the transaction commits, so a replayed event (skipped by
the runtime's inbox, and by the unique (event, reason) key on top) can never send a second message.
"""

from __future__ import annotations

import asyncpg
from linkwork_contracts.codes import ContactOutcome, DeclineReason
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import (
    ActivityReferralRespondedV1,
    FollowUpDueV1,
    FollowUpRecordedV1,
    ReferralCreatedV1,
)
from linkwork_runtime.messaging import PrefixedHandlers

from linkwork_notifications.adapters import store
from linkwork_notifications.domain.messages import Reason
from linkwork_notifications.domain.tasks import NewTask


async def referral_created(event: ReferralCreatedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    """A referral accepted into the service: tell the person a link worker will contact them (once)."""
    is_new = await store.remember_referral(
        connection, event.referral_id, event.person.person_ref, event.pcn_code, event.created_at
    )
    if not is_new or event.version != 1:
        return  # later versions (needs or preferences changed) are not news to the person
    await store.add_message(
        connection,
        event_source=envelope.source,
        event_id=envelope.id,
        reason=Reason.FIRST_CONTACT,
        referral_id=event.referral_id,
        person_ref=event.person.person_ref,
        pcn_code=event.pcn_code,
    )


async def follow_up_due(event: FollowUpDueV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    """A planned follow-up: a reminder to the person, and a task on the link worker's list for the day."""
    await store.add_message(
        connection,
        event_source=envelope.source,
        event_id=envelope.id,
        reason=Reason.FOLLOW_UP_REMINDER,
        referral_id=event.referral_id,
        person_ref=event.person_ref,
        pcn_code=event.pcn_code,
        link_worker_id=event.link_worker_id,
        due_on=event.due_on,
    )
    task = NewTask(
        kind="follow-up-due",
        subject_id=str(event.follow_up_id),
        referral_id=event.referral_id,
        pcn_code=event.pcn_code,
        link_worker_id=event.link_worker_id,
        due_on=event.due_on,
        detail=event.kind.value,
    )
    await store.add_task(connection, task)


async def follow_up_recorded(event: FollowUpRecordedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    """The link worker made contact: the first contact is no longer overdue; the follow-up task is done."""
    if event.outcome is ContactOutcome.CONTACT_MADE:
        await store.record_contact(connection, event.referral_id, event.contact_at)
    if event.follow_up_id is not None:
        await store.finish_task(connection, "follow-up-due", str(event.follow_up_id))


async def activity_referral_responded(
    event: ActivityReferralRespondedV1, envelope: CloudEvent, connection: asyncpg.Connection
) -> None:
    """A provider never answered an activity referral (issue 17): the link worker finds the person another
    activity. A task for anyone in the PCN (the event names no link worker), once per activity referral."""
    if event.decline_reason is not DeclineReason.NO_RESPONSE:
        return
    task = NewTask(
        kind="provider-no-response",
        subject_id=str(event.activity_referral_id),
        referral_id=event.referral_id,
        pcn_code=event.pcn_code,
        link_worker_id=None,
        due_on=event.responded_at.date(),
    )
    await store.add_task(connection, task)


def notification_handlers(topic_prefix: str = "") -> PrefixedHandlers:
    handlers = PrefixedHandlers(topic_prefix)
    handlers.add(ReferralCreatedV1, referral_created)
    handlers.add(FollowUpDueV1, follow_up_due)
    handlers.add(FollowUpRecordedV1, follow_up_recorded)
    handlers.add(ActivityReferralRespondedV1, activity_referral_responded)
    return handlers
