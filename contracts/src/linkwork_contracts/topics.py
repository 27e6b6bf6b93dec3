"""Kafka topic names and the catalogue of who produces and consumes each (BRIEF.md's table)."""

from __future__ import annotations

from dataclasses import dataclass

REFERRAL_REQUESTED = "referral-requested"
REFERRAL_CREATED = "referral-created"
MATCHES_SUGGESTED = "matches-suggested"
PLAN_AGREED = "plan-agreed"
FOLLOW_UP_DUE = "follow-up-due"
FOLLOW_UP_RECORDED = "follow-up-recorded"
REFERRAL_CLOSED = "referral-closed"
SERVICE_CHANGED = "service-changed"
PROVISION_GAP = "provision-gap"
REFERRAL_REQUEST_REFUSED = "referral-request-refused"
GP_RECORD_UPDATE = "gp-record-update"
ACTIVITY_REFERRED = "activity-referred"
ACTIVITY_REFERRAL_RESPONDED = "activity-referral-responded"
ATTENDANCE_CONFIRMED = "attendance-confirmed"

DLQ_SUFFIX = ".dlq"

# Producer and consumer names: the four services, plus systems outside linkwork.
REFERRAL = "referral"
DIRECTORY = "directory"
MATCHING = "matching"
OUTCOMES = "outcomes"
NOTIFICATIONS = "notifications"  # tells people a follow-up is due (GOV.UK Notify, email, tasks)
EXISTING_SYSTEMS = "existing-systems"  # GP integration engines, self-referral forms, councils
PROVIDER_SYSTEMS = "provider-systems"  # community providers' own case-management systems


DAY_MS = 24 * 3600 * 1000
OPERATORS = "operators"  # on-call engineers of the consuming service


def dlq(topic: str) -> str:
    """The dead-letter topic for `topic`; it keeps the original key."""
    return f"{topic}{DLQ_SUFFIX}"


def is_dlq(topic: str) -> bool:
    return topic.endswith(DLQ_SUFFIX)


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    key: str  # what the Kafka key is, in words; the event's KEY_FIELD names the field
    producer: str
    consumers: tuple[str, ...]
    compacted: bool
    description: str
    # Dead letters keep the original message whole (so it can be replayed): a topic with identifiable data
    # gets a short retention and a narrower set of readers for its dead-letter topic.
    dlq_retention_ms: int = 30 * DAY_MS
    dlq_readers: str = OPERATORS
    # How long Kafka keeps the events: None keeps them for ever (read models are rebuilt from full history);
    # a topic carrying identifiable data keeps only what an outage needs. Compacted topics keep each key's
    # latest event whatever this says.
    retention_days: int | None = None

    @property
    def dlq(self) -> str:
        return dlq(self.name)


TOPICS: dict[str, TopicSpec] = {
    spec.name: spec
    for spec in (
        TopicSpec(
            REFERRAL_REQUESTED,
            "request id",
            EXISTING_SYSTEMS,
            (REFERRAL,),
            False,
            "A referral sent in by a GP system integration engine or a self-referral form. "
            "The only topic that carries identifiable data.",
            dlq_retention_ms=7 * DAY_MS,
            dlq_readers="the referral service's operators only (identifiable data): no other service's "
            "principal may read it",
            retention_days=30,
        ),
        TopicSpec(
            REFERRAL_CREATED,
            "referral id",
            REFERRAL,
            (MATCHING, OUTCOMES, NOTIFICATIONS),
            False,
            "A referral exists, pseudonymised; re-published with a higher version when the "
            "person's needs or preferences change.",
        ),
        TopicSpec(
            MATCHES_SUGGESTED,
            "referral id",
            MATCHING,
            (REFERRAL, OUTCOMES),
            False,
            "Ranked activities per need for one version of a referral, with reasons.",
        ),
        TopicSpec(
            PLAN_AGREED,
            "referral id",
            REFERRAL,
            (DIRECTORY, MATCHING, OUTCOMES),
            False,
            "The personalised plan's chosen activities (the whole current plan) and baseline measures.",
        ),
        TopicSpec(
            FOLLOW_UP_DUE,
            "referral id",
            REFERRAL,
            (OUTCOMES, NOTIFICATIONS, EXISTING_SYSTEMS),
            False,
            "A planned follow-up has fallen due (emitted once per follow-up).",
        ),
        TopicSpec(
            FOLLOW_UP_RECORDED,
            "referral id",
            REFERRAL,
            (MATCHING, OUTCOMES, NOTIFICATIONS),
            False,
            "A contact with the person: attendance per activity and any repeat measures.",
        ),
        TopicSpec(
            REFERRAL_CLOSED,
            "referral id",
            REFERRAL,
            (OUTCOMES, EXISTING_SYSTEMS),
            False,
            "The episode ended: status, reason, final measures and GP record codes.",
        ),
        TopicSpec(
            SERVICE_CHANGED,
            "service id",
            DIRECTORY,
            (MATCHING, OUTCOMES, REFERRAL),
            True,
            "The full current snapshot of a community service; log-compacted so that reading "
            "from the start gives every service's latest state.",
        ),
        TopicSpec(
            PROVISION_GAP,
            "postcode district and need",
            MATCHING,
            (OUTCOMES, DIRECTORY),
            False,
            "People in an area with a need that nothing suitable within reach meets.",
        ),
        TopicSpec(
            REFERRAL_REQUEST_REFUSED,
            "request id",
            REFERRAL,
            (EXISTING_SYSTEMS,),
            False,
            "A referral-requested message the referral service refused for good (invalid, unroutable, "
            "implausible), told back to its sender by request id; no person data.",
        ),
        TopicSpec(
            GP_RECORD_UPDATE,
            "referral id",
            REFERRAL,
            (EXISTING_SYSTEMS,),
            False,
            "RESTRICTED, identifiable: the message back to the GP (NHS number, practice, SNOMED CT codes) on "
            "a referral's acceptance, rejection and closure. Only the GP integration user may read it.",
            dlq_retention_ms=7 * DAY_MS,
            dlq_readers="the GP integration's operators only (identifiable data)",
            retention_days=30,  # long enough for an integration engine's outage, not a second copy of the record
        ),
        TopicSpec(
            ACTIVITY_REFERRED,
            "referral id",
            REFERRAL,
            (PROVIDER_SYSTEMS,),
            False,
            "RESTRICTED: a plan's activity referred to its provider, with only what the person agreed to share "
            "with that provider (first name, a contact route, needs, accessibility needs). Providers' systems "
            "read it; no linkwork service does (outcomes counts from activity-referral-responded).",
            dlq_retention_ms=7 * DAY_MS,
            dlq_readers="the referral service's operators only (shared person details)",
            retention_days=30,  # a provider system's outage, not a second copy of the record
        ),
        TopicSpec(
            ACTIVITY_REFERRAL_RESPONDED,
            "referral id",
            REFERRAL,
            (MATCHING, OUTCOMES, DIRECTORY, NOTIFICATIONS, PROVIDER_SYSTEMS),
            False,
            "A provider accepted or declined an activity referral (with a reason code), or the response "
            "deadline declined it (no-response); a start date. No person details.",
        ),
        TopicSpec(
            ATTENDANCE_CONFIRMED,
            "referral id",
            REFERRAL,
            (MATCHING, OUTCOMES, DIRECTORY, PROVIDER_SYSTEMS),
            False,
            "One session's attendance (attended, did not attend, cancelled) and completion of an activity, "
            "confirmed by the provider or self-reported. No person details.",
        ),
    )
}
