"""What each consumed event asks of the service: message intents for the dispatcher and tasks on the link
workers' list, recorded through `EventRecords` (ports.py) in the transaction they joined.

Nothing is sent here: the dispatcher sends after the transaction commits, so a replayed event (skipped by
the runtime's inbox, and by the unique (event, reason) key on top) can never send a second message.
"""

from __future__ import annotations

from linkwork_contracts.codes import ContactOutcome, DeclineReason
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import (
    ActivityReferralRespondedV1,
    FollowUpDueV1,
    FollowUpRecordedV1,
    ReferralCreatedV1,
)

from linkwork_notifications.domain.messages import NewMessage, Reason
from linkwork_notifications.domain.tasks import NewTask
from linkwork_notifications.service_layer.ports import EventRecords


async def announce_first_contact(records: EventRecords, event: ReferralCreatedV1, envelope: CloudEvent) -> None:
    """A referral accepted into the service: tell the person a link worker will contact them (once)."""
    is_new = await records.remember_referral(
        event.referral_id, event.person.person_ref, event.pcn_code, event.created_at
    )
    if not is_new or event.version != 1:
        return  # later versions (needs or preferences changed) are not news to the person
    message = NewMessage(
        event_source=envelope.source,
        event_id=envelope.id,
        reason=Reason.FIRST_CONTACT,
        referral_id=event.referral_id,
        person_ref=event.person.person_ref,
        pcn_code=event.pcn_code,
    )
    await records.add_message(message)


async def remind_of_follow_up(records: EventRecords, event: FollowUpDueV1, envelope: CloudEvent) -> None:
    """A planned follow-up: a reminder to the person, and a task on the link worker's list for the day."""
    message = NewMessage(
        event_source=envelope.source,
        event_id=envelope.id,
        reason=Reason.FOLLOW_UP_REMINDER,
        referral_id=event.referral_id,
        person_ref=event.person_ref,
        pcn_code=event.pcn_code,
        link_worker_id=event.link_worker_id,
        due_on=event.due_on,
    )
    await records.add_message(message)
    task = NewTask(
        kind="follow-up-due",
        subject_id=str(event.follow_up_id),
        referral_id=event.referral_id,
        pcn_code=event.pcn_code,
        link_worker_id=event.link_worker_id,
        due_on=event.due_on,
        detail=event.kind.value,
    )
    await records.add_task(task)


async def record_follow_up(records: EventRecords, event: FollowUpRecordedV1) -> None:
    """The link worker made contact: the first contact is no longer overdue; the follow-up task is done."""
    if event.outcome is ContactOutcome.CONTACT_MADE:
        await records.record_contact(event.referral_id, event.contact_at)
    if event.follow_up_id is not None:
        await records.finish_task("follow-up-due", str(event.follow_up_id))


async def ask_for_another_activity(records: EventRecords, event: ActivityReferralRespondedV1) -> None:
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
    await records.add_task(task)
