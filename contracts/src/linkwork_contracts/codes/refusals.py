"""Why linkwork refused a referral request: the reason codes of `referral-request-refused`.

Our own value set (no national one exists for this). Every code is permanent: the same request will be
refused again, so the sender must change it (or its practice must be added to a PCN) before resending.
"""

from __future__ import annotations

from enum import StrEnum


class RefusalReason(StrEnum):
    NOT_A_CLOUDEVENT = "not-a-cloudevent"  # not JSON, or not a CloudEvents 1.0 event in either mode
    UNKNOWN_EVENT_TYPE = "unknown-event-type"  # a type or version the referral service does not read
    FAILED_VALIDATION = "failed-validation"  # data fails schemas/uk.linkwork.referral.requested.v1.json
    NO_PCN_FOR_PRACTICE = "no-pcn-for-practice"  # the practice is in no PCN this deployment serves
    IMPLAUSIBLE_DATE = "implausible-date"  # a date of birth or consent time in the future, an impossible age
    RULE_BROKEN = "rule-broken"  # another workflow rule, e.g. consent to refer not given


REFUSAL_MEANING: dict[RefusalReason, str] = {
    RefusalReason.NOT_A_CLOUDEVENT: "The message is not JSON or not a CloudEvents 1.0 event (structured or binary).",
    RefusalReason.UNKNOWN_EVENT_TYPE: "The CloudEvents type or its version is not one linkwork reads.",
    RefusalReason.FAILED_VALIDATION: "The data fails the referral-requested schema; the message names field and rule.",
    RefusalReason.NO_PCN_FOR_PRACTICE: "The practice ODS code is not in any PCN this deployment serves.",
    RefusalReason.IMPLAUSIBLE_DATE: "A date cannot be right: in the future, or an impossible age.",
    RefusalReason.RULE_BROKEN: "The request breaks a workflow rule; the message names it.",
}
